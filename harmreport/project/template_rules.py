"""The rule that keeps numbers and one edition's claims out of the templates.

Every figure reaches the report from stats.json or from a sourced fact; so a template holds no
digit in its text, no number written as a word ("four", "seven days"; "one" is left to prose,
where it is mostly a pronoun), and no number literal in
its code beyond 0, 1 and -1 (a `[:3]` is an edition's choice and belongs in editions.toml). The
shared templates also name no nationality and no authority: what is true of one edition's data
is said in that edition's own template.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from harmreport.project import paths

NUMBER_WORDS = [
    "zero",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "millions",
    "billion",
    "dozen",
    "dozens",
    "half",
    "quarter",
    "quarters",
    "third",
    "thirds",
    "twice",
    "thrice",
]
WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.I)
DIGIT = re.compile(r"\d")
CODE_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")
ALLOWED_IN_CODE = {"0", "1", "-1"}
JINJA = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
SHARED = ("report.html.j2", "index.html.j2")


@dataclass(frozen=True)
class TemplateProblem:
    template: str
    line: int
    found: str
    rule: str

    def __str__(self) -> str:
        return f"{self.template}, line {self.line}: '{self.found}' ({self.rule})"


def problems(path: Path, text: str | None = None) -> list[TemplateProblem]:
    text = path.read_text(encoding="utf-8") if text is None else text
    name = f"templates/{path.name}" if path.parent == paths.TEMPLATES else str(path.name)
    found = []
    for start, chunk in _pieces(text):
        line = text.count("\n", 0, start) + 1
        if chunk.startswith("{#"):
            continue
        if chunk.startswith("{"):
            found += _in_code(name, line, chunk)
        else:
            found += _in_text(name, line, chunk)
    if path.name in SHARED:
        found += _claims(name, text)
    return found


def _pieces(text: str):
    """(start, piece) for the template's text between tags, and for each tag."""
    position = 0
    for match in JINJA.finditer(text):
        yield position, text[position : match.start()]
        yield match.start(), match.group()
        position = match.end()
    yield position, text[position:]


def _in_text(name: str, line: int, chunk: str) -> list[TemplateProblem]:
    # Markup is not text: whole tags, and the parts of a tag a Jinja expression cuts in two.
    blank = lambda m: re.sub(r"[^\n]", " ", m.group())  # noqa: E731
    visible = re.sub(r"<[^>]*>|^[^<]*?>|<[^>]*$", blank, chunk)
    found = []
    for pattern, rule in ((DIGIT, "a digit in the text"), (WORD, "a number written as a word")):
        for match in pattern.finditer(visible):
            at = line + visible.count("\n", 0, match.start())
            found.append(TemplateProblem(name, at, _context(visible, match), rule))
    return found


def _in_code(name: str, line: int, chunk: str) -> list[TemplateProblem]:
    found = []
    strings = re.findall(r'"[^"]*"|\'[^\']*\'', chunk)
    code = re.sub(r'"[^"]*"|\'[^\']*\'', '""', chunk)
    for match in CODE_NUMBER.finditer(code):
        if match.group() not in ALLOWED_IN_CODE:
            at = line + code.count("\n", 0, match.start())
            found.append(TemplateProblem(name, at, match.group(), "a number in the code"))
    for string in (s for s in strings if " " in s):  # prose, not a name or a key
        for pattern, rule in ((DIGIT, "a digit in a text"), (WORD, "a number written as a word")):
            match = pattern.search(string)
            if match:
                found.append(TemplateProblem(name, line, _context(string, match), rule))
    return found


CLAIM = "one edition's claim"


def _claims(name: str, text: str) -> list[TemplateProblem]:
    """Nationalities and authorities named in a shared template."""
    words = sorted(_edition_words(), key=lambda word: (-len(word), word))  # longest first
    claim = re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b")
    return [
        TemplateProblem(name, text.count("\n", 0, match.start()) + 1, match.group(), CLAIM)
        for match in claim.finditer(text)
    ]


def _edition_words() -> set[str]:
    words = set()
    with open(paths.DATA / "vocabularies" / "nationalities.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["country"]:
                words.add(row["nationality"])
    with open(paths.AUTHORITIES, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            words.add(row["short_name"] or row["name"])
    return {w for w in words if w and w not in ("London",)}


def _context(text: str, match) -> str:
    return " ".join(text[max(0, match.start() - 25) : match.end() + 25].split())


def all_problems() -> list[TemplateProblem]:
    found = [p for path in sorted(paths.TEMPLATES.rglob("*.j2")) for p in problems(path)]
    return _once_a_line(found) + structure_problems()


def _once_a_line(found: list[TemplateProblem]) -> list[TemplateProblem]:
    """One problem a line (a line with three digits is one thing to rewrite), with what to
    write instead."""
    kept, seen = [], set()
    for problem in found:
        if (problem.template, problem.line) in seen:
            continue
        seen.add((problem.template, problem.line))
        kept.append(TemplateProblem(problem.template, problem.line, problem.found,
                                    problem.rule + _instead(problem)))  # fmt: skip
    return kept


def _instead(problem: TemplateProblem) -> str:
    if problem.rule == CLAIM:
        return "; say it in the edition's own template, templates/editions/<year>.html.j2"
    if re.search(r"\b(19|20)\d\d\b", problem.found):
        return "; write {{ edition.year }}, or a date from data/editions.toml"
    return (
        "; print a figure from stats.json (how_many('key'), stats.…), or a sourced fact "
        "from data/facts.toml with fact('key')"
    )


EDITION_TEMPLATE = re.compile(r"\d{4}\.html\.j2")
CHAPTERS = re.compile(r"\{%-?\s*set\s+edition_chapters\s*=\s*(\[[^\]]*\])")


def structure_problems() -> list[TemplateProblem]:
    """What Jinja would only find half-way through a build: a syntax error, a template
    extended or included that does not exist, a chapter declared without its block."""
    from jinja2 import Environment, FileSystemLoader, TemplateSyntaxError, meta

    env = Environment(loader=FileSystemLoader(paths.TEMPLATES))
    found = []
    report_templates = [paths.TEMPLATES / "editions", paths.TEMPLATES]  # not nbconvert's own
    for path in sorted(p for folder in report_templates for p in folder.glob("*.j2")):
        name = f"templates/{path.relative_to(paths.TEMPLATES)}"
        text = path.read_text(encoding="utf-8")
        try:
            tree = env.parse(text, name=name)
        except TemplateSyntaxError as exc:
            found.append(TemplateProblem(name, exc.lineno, exc.message, "a syntax error"))
            continue
        for used in filter(None, meta.find_referenced_templates(tree)):
            if not (paths.TEMPLATES / used).is_file():
                line = _line_of(text, used)
                found.append(TemplateProblem(name, line, used, "no such template to use"))
        found += _chapters_without_blocks(name, text)
    return found


def _chapters_without_blocks(name: str, text: str) -> list[TemplateProblem]:
    declared = CHAPTERS.search(text)
    if not declared:
        return []
    line = text.count("\n", 0, declared.start()) + 1
    chapters = re.findall(r"[\"']([^\"']+)[\"']", declared.group(1))
    blocks = set(re.findall(r"\{%-?\s*block\s+(\w+)", text))
    return [
        TemplateProblem(name, line, chapter, "a chapter declared without its block")
        for chapter in chapters
        if chapter not in blocks
    ]


def _line_of(text: str, word: str) -> int:
    return next((n for n, line in enumerate(text.splitlines(), 1) if word in line), 1)


def misnamed_edition_templates() -> list[str]:
    """Files in templates/editions/ the build will never use: warned, not refused."""
    from harmreport.project import editions

    years = {str(entry.year) for entry in editions.all_data_years()}
    warnings = []
    for path in sorted((paths.TEMPLATES / "editions").glob("*")):
        if not EDITION_TEMPLATE.fullmatch(path.name):
            warnings.append(
                f"templates/editions/{path.name} is never used: an edition's template is "
                "named <year>.html.j2"
            )
        elif path.name[:4] not in years:
            warnings.append(
                f"templates/editions/{path.name} is never used: there is no [years."
                f"{path.name[:4]}] in data/editions.toml"
            )
    return warnings


# Words a finished report never prints: a stub, a placeholder, or the software talking about
# itself instead of the publisher speaking to its readers.
UNFINISHED = re.compile(
    r"STUB:|\bTODO\b|\bTBC\b|lorem ipsum|placeholder|this project|seeded script"
    r"|not held by|this build\b|run_report",
    re.IGNORECASE,
)
_SECTION = re.compile(r'<section id="([^"]+)" class="chapter[^"]*"[^>]*>(.*?)</section>', re.S)
_TAG = re.compile(r"<[^>]+>")


def unfinished(html: str) -> list[str]:
    """What in a rendered report is not fit to publish: placeholder wording, and chapters
    with nothing but their heading."""
    text = _TAG.sub(" ", html.split("<body", 1)[-1])
    found = sorted({m.group(0) for m in UNFINISHED.finditer(text)})
    problems = [f"the report says '{phrase}'" for phrase in found]
    for name, body in _SECTION.findall(html):
        heading_gone = re.sub(r"<h2.*?</h2>", "", body, count=1, flags=re.S)
        if not _TAG.sub("", heading_gone).strip():
            problems.append(f"the chapter '{name}' is empty")
    return problems
