"""Settings that ship with the code: loaded from the app's root_path.

Only UPPERCASE names become config keys; ``helper_value`` below is ignored by from_pyfile.
"""

GREETING = "你好 from settings.py"
PAGE_SIZE = 20
DATABASE_URI = "sqlite:///shipped-default.db"
helper_value = "lowercase names are not config"
