"""Measuring and drawing log lines: the fast measure agrees with the drawn text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from console.ui.state import LogLine
from console.ui.widgets.log_view import log_line_text, row_breaks, rows_of

lines = st.builds(
    LogLine,
    time=st.floats(min_value=0, max_value=4e9),
    stream=st.sampled_from(["stdout", "stderr", "logger", "hookscope"]),
    level=st.one_of(st.sampled_from(["INFO", "WARNING", "debug", "CRITICAL"]), st.text()),
    message=st.one_of(
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)), st.text()
    ),
    logger=st.one_of(st.none(), st.text(max_size=20)),
)


@given(line=lines, width=st.integers(min_value=1, max_value=200))
def test_rows_of_counts_the_rows_the_line_is_drawn_in(line: LogLine, width: int) -> None:
    assert rows_of(line, width) == len(row_breaks(log_line_text(line).plain, width))


def test_a_long_ascii_line_wraps_at_the_width() -> None:
    line = LogLine(0.0, "stdout", "INFO", "x" * 100)
    # "00:00:00 INFO    stdout   " is 26 cells, then the message
    assert rows_of(line, 80) == 2
    assert rows_of(line, 126) == 1
    assert rows_of(line, 125) == 2


def test_a_level_name_with_a_control_character_is_shown_escaped() -> None:
    line = LogLine(0.0, "logger", "\x1b[2J", "cleared?")
    assert "\x1b" not in log_line_text(line).plain
    assert "\\x1b[2J" in log_line_text(line).plain
