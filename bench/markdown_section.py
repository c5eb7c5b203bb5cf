"""Replaces the generated part of bench/RESULTS.md: the text between a begin and an end marker
line, leaving everything else as written by hand."""


def replace_section(markdown, begin, end, lines, tool):
    text = open(markdown).read()
    start, stop = text.index(begin) + len(begin), text.index(end)
    text = text[:start] + "\n" + "\n".join(lines) + "\n" + text[stop:]
    open(markdown, "w").write(text)
    print(f"{tool}: updated {markdown}")
