"""The twin blog on the framework."""

from twin_blog import build

import framework

app = build(framework, framework.App, __name__)
