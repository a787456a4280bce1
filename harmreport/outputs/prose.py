"""The report's generated sentences, each chosen by a rule on the published figures.

Whatever pattern of answers a year brings (none, one authority, a few, all, all refused), a
sentence here never says 0 for a figure nobody gave ("not known"), never states a figure
resting on too few authorities as a finding for the UK (low reliability, [u]), and says how
many of the authorities asked a total rests on whenever that is not all of them. The
templates print these sentences; tests render them over a grid of answer patterns.
"""

from markupsafe import Markup

from harmreport.analysis.disclosure import MARK, NOT_APPLICABLE, NOT_AVAILABLE
from harmreport.intake import cell_codes
from harmreport.project import formatting

GROUPS = ("trafficked", "unaccompanied")


class Figures:
    """The published stats of one edition, read as a sentence needs them."""

    def __init__(self, stats: dict):
        self.stats = stats
        self.contacted = stats["authorities"]["contacted"]
        self.low = set(stats.get("low_reliability", {}))
        self.bases = stats.get("based_on", {})
        self.small = set(stats["disclosure"].get("fewer_than_five", ()))

    def get(self, key: str):
        value = self.stats
        for part in key.split("."):
            value = value[part]
        return value

    def shown(self, key: str) -> bool:
        """A number a sentence may state: published, and resting on enough authorities."""
        return formatting.is_figure(self.get(key)) and key not in self.low

    def base(self, key: str) -> int:
        """How many authorities a figure rests on."""
        if key in self.bases:
            return self.bases[key]
        try:
            return self.get(f"{key}_base")["authorities"] or 0
        except KeyError:  # a stats.json without bases: nothing said of what a total rests on
            return self.contacted

    def how_many(self, key: str) -> str:
        """A count of children as a sentence says it."""
        value = self.get(key)
        if value == MARK:
            return "fewer than five ([c])" if key in self.small else "an unpublished number ([c])"
        return formatting.number(value)

    def of_authorities(self, n: int) -> str:
        """'41 of the 212 authorities', or 'all 212 authorities'."""
        if n == self.contacted:
            return f"all {self.contacted} authorities"
        if n == 0:
            return f"none of the {self.contacted} authorities"
        return f"{n} of the {self.contacted} authorities"

    def rests_on(self, key: str) -> str:
        """' (from 41 of the 212 authorities)' where a total does not rest on them all."""
        n = self.base(key)
        return "" if n == self.contacted else f" (from {self.of_authorities(n)})"

    def rate(self, key: str) -> str:
        """A reporting rate in words: 'none', 'fewer than 1%', '80%'."""
        value = self.get(key)
        return "none" if value == 0 else formatting.percent(value)


def _withheld(f: "Figures", *columns: str) -> int:
    """Authorities that withheld a small number for any of the questions (the most of any)."""
    return max(f.get(f"data_quality.{column}")["suppressed"] for column in columns)


def _only_withheld(f: "Figures", what: str, *columns: str) -> str:
    """For a figure no authority gave a number for although some answered: they withheld it."""
    n = _withheld(f, *columns)
    return (
        f"{f.of_authorities(n).capitalize()} withheld the number of {what} as too small to "
        "disclose, and none gave one, so it is not known."
    )


def _big(text) -> Markup:
    return Markup('<span class="big">{}</span>').format(text)


def _authorities(n: int) -> str:
    return "authority" if n == 1 else "authorities"


def key_findings(stats: dict, compared: str = "") -> list[Markup]:
    """The key findings, in the report's order. `compared`: the generated comparison of the
    trafficked share with the previous edition ("down from 37% in 2020"), if any."""
    f = Figures(stats)
    found = [share_finding(f, "trafficked"), share_finding(f, "unaccompanied")]
    found += [went_missing_finding(f), episodes_finding(f), over_week_finding(f)]
    found += [still_missing_finding(f), reporting_finding(f)]
    if compared and f.shown("trafficked.share_went_missing"):
        found.append(
            Markup("The share of trafficked children who went missing was {}, {}, {}.").format(
                _big(formatting.percent(f.get("trafficked.share_went_missing"))),
                compared,
                "the previous edition",
            )
        )
    return [item for item in found if item]


def share_finding(f: Figures, group: str) -> Markup:
    key = f"{group}.share_went_missing"
    share, base = f.get(key), f.get(f"{key}_base")
    word = group
    answered = base["authorities"] or 0
    if share == NOT_AVAILABLE:
        return Markup(
            f"No authority could tell us both how many {word} children it looked after and "
            "how many of them went missing, so the share who went missing is not known."
        )
    if share == NOT_APPLICABLE:
        return Markup(
            f"The authorities that could say how many {word} children went missing looked "
            f"after no {word} children, so there is no share to give."
        )
    if share == MARK:
        return Markup(
            f"The share of {word} children who went missing is not published ([c]): it would "
            "identify children."
        )
    if key in f.low:
        return Markup(
            f"{only(answered, f.contacted).capitalize()}{answered} of the {f.contacted} "
            "authorities could tell us both how many "
            f"{word} children they looked after and how many went missing: too few for a "
            "share for the UK."
        )
    text = Markup("{} of {} children in care went missing at least once: {} of {}").format(
        _big(formatting.percent(share)),
        word,
        formatting.number(base["numerator"]),
        formatting.number(base["denominator"]),
    )
    in_care = f.get(f"{group}.in_care")
    if base["denominator"] != in_care:
        text += f", counting the {answered} {_authorities(answered)} that answered both questions"
        if f.shown(f"{group}.in_care"):
            told = "authorities told us about " if group == "trafficked" else ""
            text += f" ({told}{formatting.number(in_care)} {word} children in care in all)"
    ending = f". That is {formatting.one_in(share)}." if share else "."
    return text + ending


def went_missing_finding(f: Figures) -> Markup:
    key = "combined.went_missing"
    value, n = f.get(key), f.base(key)
    columns = ("trafficked_went_missing", "unaccompanied_went_missing")
    if value == NOT_AVAILABLE and _withheld(f, *columns):
        what = "trafficked and unaccompanied children who went missing"
        return Markup(_only_withheld(f, what, *columns))
    if value == NOT_AVAILABLE:
        return Markup(
            "No authority could tell us how many trafficked or unaccompanied children went "
            "missing from its care."
        )
    if key in f.low:
        return Markup(
            f"{only(n, f.contacted).capitalize()}{n} of the {f.contacted} authorities could "
            "tell us how many trafficked or "
            "unaccompanied children went missing: too few for a figure for the UK."
        )
    text = Markup("{} trafficked and unaccompanied children went missing from care").format(
        _big(f.how_many(key).capitalize() if value == MARK else f.how_many(key))
    )
    text += f.rests_on(key)
    share = f.get("combined.share_went_missing")
    whole = f.get("combined.share_went_missing_base")
    if (
        f.shown("combined.share_went_missing")
        and share
        and whole["denominator"] == f.get("combined.in_care")
    ):
        text += f", out of {formatting.number(whole['denominator'])}: {formatting.one_in(share)}"
    return text + "."


def episodes_finding(f: Figures) -> Markup | None:
    if not f.shown("trafficked.episodes_per_missing_child"):
        return None
    text = Markup("Trafficked children who went missing did so {} times each on average").format(
        _big(formatting.decimal(f.get("trafficked.episodes_per_missing_child")))
    )
    if f.shown("unaccompanied.episodes_per_missing_child"):
        each = formatting.decimal(f.get("unaccompanied.episodes_per_missing_child"))
        text += f"; unaccompanied children {each} times"
    return text + "."


def over_week_finding(f: Figures) -> Markup | None:
    if not f.shown("combined.missing_over_week_share"):
        return None
    return Markup(
        "{} of the trafficked and unaccompanied children who went missing were away for more "
        "than a week at least once."
    ).format(_big(formatting.percent(f.get("combined.missing_over_week_share"))))


def still_missing_finding(f: Figures) -> Markup:
    key = "combined.still_missing"
    value, n = f.get(key), f.get("combined.still_missing_authorities_reporting")
    if value == NOT_AVAILABLE and not n:
        return Markup(
            "No authority could tell us how many of the children who went missing had still "
            "not been found."
        )
    if value == NOT_AVAILABLE:
        return Markup(_only_withheld(f, "children still missing", "still_missing"))
    if key in f.low:
        return Markup(
            f"{only(n, f.contacted).capitalize()}{n} of the {f.contacted} authorities could "
            "tell us how many of the children "
            "who went missing had still not been found: too few for a figure for the UK."
        )
    told = f"all {n}" if n == f.contacted else f"{only(n, f.contacted)}{n} of the {f.contacted}"
    return Markup(
        "{} children had still not been found when the authorities answered, reported by {} "
        "authorities we asked."
    ).format(_big(f.how_many(key).capitalize()), told)


def reporting_finding(f: Figures) -> Markup:
    """How many authorities could say how many children of each group they looked after, and,
    where every one that could withheld its number, that too."""
    rates = [f.get(f"{group}.reporting_rate") for group in GROUPS]
    withheld = [
        group
        for group in GROUPS
        if f.get(f"{group}.reporting_rate") and f.get(f"{group}.in_care") == NOT_AVAILABLE
    ]
    after = "".join(
        f" Every authority that could say for {word} children withheld the number as too "
        "small to disclose."
        for word in withheld
    )
    if all(rate == 1 for rate in rates):
        first = Markup(
            "Every authority could tell us how many trafficked and how many unaccompanied "
            "children it looked after."
        )
    elif not any(rates):
        first = Markup(
            "No authority could tell us how many trafficked or unaccompanied children it "
            "looked after."
        )
    else:
        trafficked, unaccompanied = (_rate_words(f, group) for group in GROUPS)
        if rates[0] == 1:
            lead = Markup(
                "All authorities could tell us how many trafficked children they looked after"
            )
        elif rates[0] == 0:
            lead = Markup(
                "No authority could tell us how many trafficked children it looked after"
            )
        else:
            number = trafficked[0].isdigit()
            lead = Markup(
                ("Only {}" if number and only_rate(rates[0]) else "{}")
                + " of authorities could tell us how many trafficked children they looked after"
            ).format(_big(trafficked if number else trafficked.capitalize()))
        first = lead + f", and {unaccompanied} how many unaccompanied children."
    return first + after


def _rate_words(f: Figures, group: str) -> str:
    rate = f.get(f"{group}.reporting_rate")
    return "all" if rate == 1 else f.rate(f"{group}.reporting_rate")


IN_CARE_WORDS = {
    "trafficked": "children identified as, or suspected to be, victims of trafficking",
    "unaccompanied": "unaccompanied children, who arrived in the UK without a parent or carer,",
}


def in_care_paragraph(f: Figures, group: str) -> Markup:
    """How many authorities could say how many children of the group they looked after, and
    how many children those that gave a number looked after."""
    word = group
    given = f.get(f"data_quality.{group}_in_care")
    told = given["count"] + given["suppressed"]
    if not told:
        return Markup(f"None of the {f.contacted} authorities could tell us how many {word} "
                      "children they looked after.")  # fmt: skip
    who = f.of_authorities(told) if group == "trafficked" else f"{told} {_authorities(told)}"
    text = Markup("{} ({}) could tell us how many {} they looked after").format(
        who.capitalize(), f.rate(f"{group}.reporting_rate"), IN_CARE_WORDS[group]
    )
    if not given["count"]:
        return text + (": every one withheld its number as too small to disclose, so the "
                       "total is not known.")  # fmt: skip
    if given["suppressed"]:
        text += (f": {given['count']} gave a number and {given['suppressed']} said "
                 f"{'its' if given['suppressed'] == 1 else 'theirs'} was too small to "
                 "disclose")  # fmt: skip
    key = f"{group}.in_care"
    total = Markup("<strong>{}</strong>").format(f.how_many(key))
    what = f"{word} children" if group == "trafficked" else "in all"
    text += Markup(". Together the {} that gave a number looked after {} {}").format(
        given["count"], total, what
    )
    if key in f.low:
        text += " (too few authorities for a figure for the UK)"
    if given["suppressed"]:
        text += "; the small numbers withheld are not included"
    other = given.get("other_basis", 0)
    if other:
        text += (f"; {other} more answered for another period or group and are left out of "
                 "the total")  # fmt: skip
    return text + "."


def went_missing_paragraph(f: Figures, group: str) -> Markup:
    """The children of the group who went missing, and the share, with what it rests on."""
    word = group
    key = f"{group}.went_missing"
    if f.get(key) == NOT_AVAILABLE and _withheld(f, f"{group}_went_missing"):
        what = f"{word} children who went missing"
        said = _only_withheld(f, what, f"{group}_went_missing")
        return Markup(said + " So is the share who went missing.")
    if f.get(key) == NOT_AVAILABLE:
        return Markup(f"No authority could tell us how many {word} children went missing, so "
                      "neither the number nor the share who went missing is known.")  # fmt: skip
    with_missing = f.get(f"{group}.authorities_with_missing")
    who = f"{word} children" if group == "trafficked" else ""
    text = Markup("<strong>{}</strong> {}went missing at least once").format(
        f.how_many(key).capitalize(), f"{who} " if who else ""
    )
    if with_missing:
        text += f", from {with_missing} {_authorities(with_missing)}"
    text += "."
    n = f.base(key)
    if n < f.contacted:
        text += f" The total rests on the {n} of the {f.contacted} authorities that gave a number"
        text += ": too few for a figure for the UK." if key in f.low else "."
    share_key = f"{group}.share_went_missing"
    share, base = f.get(share_key), f.get(f"{share_key}_base")
    if share == NOT_AVAILABLE:
        text += (f" No authority told us both how many {word} children it looked after and "
                 "how many went missing, so the share who went missing is not known.")  # fmt: skip
    elif share == MARK:
        text += " The share who went missing is not published ([c])."
    elif share == NOT_APPLICABLE:
        text += f" The authorities that answered both questions looked after no {word} children."
    elif share_key in f.low:
        text += (f" {only(base['authorities'], f.contacted).capitalize()}{base['authorities']} "
                 f"{_authorities(base['authorities'])} told us both "
                 f"how many {word} children they looked after and how many went missing: too "
                 "few for a share for the UK.")  # fmt: skip
    elif base["denominator"] == f.get(f"{group}.in_care"):
        text += f" That is {formatting.percent(share)} of all the {word} children in care."
    else:
        text += (
            f" Counting only the {base['authorities']} {_authorities(base['authorities'])} that "
            f"could answer both questions, {formatting.number(base['numerator'])} of their "
            f"{formatting.number(base['denominator'])} {word} children went missing: "
            f"{formatting.percent(share)}. Dividing by every {word} child in care would "
            "understate the share, because some authorities could say how many children they "
            "looked after but not how many went missing."
        )
    largest = f.get(f"{group}.largest_went_missing_at_one_authority")
    if formatting.is_figure(largest) and largest:
        text += f" At a single authority, {largest} {word} children went missing."
    return text


def episodes_paragraph(f: Figures, group: str) -> Markup:
    word = group
    told = [
        answers["count"] + answers["suppressed"]
        for answers in (
            f.get(f"data_quality.{group}_{q}") for q in ("went_missing", "missing_episodes")
        )
    ]
    if not told[0] and not told[1]:
        return Markup(
            f"None of the {f.contacted} authorities could tell us how many {word} children went "
            "missing, nor how many times."
        )
    text = Markup(
        f"{f.of_authorities(told[0]).capitalize()} could tell us how many {word} children went "
        f"missing, and {told[1] or 'none'} how many times."
    )
    key = f"{group}.missing_episodes"
    if not formatting.is_figure(f.get(key)) and f.get(key) != MARK:
        return text
    text += f" Between them, the {word} children who went missing were reported missing "
    text += f"{f.how_many(key)} times{f.rests_on(key)}"
    if f.shown(f"{group}.episodes_per_missing_child"):
        each = formatting.decimal(f.get(f"{group}.episodes_per_missing_child"))
        text += (f": {each} missing episodes for each child, on average, among the authorities "
                 "that counted both")  # fmt: skip
    return text + "."


def longer_paragraphs(f: Figures) -> list[Markup]:
    """Missing for more than a week, and still missing."""
    told = f.get("data_quality.missing_over_week")
    told = told["count"] + told["suppressed"]
    first = Markup(f"{f.of_authorities(told).capitalize()} could tell us how many children were "
                   "missing for more than a week.")  # fmt: skip
    if f.shown("combined.missing_over_week_share"):
        base = f.get("combined.missing_over_week_share_base")
        first += (
            " Of the trafficked and unaccompanied children who went missing, "
            f"{formatting.percent(f.get('combined.missing_over_week_share'))} were missing for "
            f"more than a week on at least one occasion ({formatting.number(base['numerator'])} "
            f"of {formatting.number(base['denominator'])}, among the {base['authorities']} "
            f"{_authorities(base['authorities'])} that could say)."
        )
    elif "combined.missing_over_week_share" in f.low:
        first += " Too few could say for a share for the UK."
    n = f.get("combined.still_missing_authorities_reporting")
    key = "combined.still_missing"
    if not n:
        second = Markup("No authority could tell us how many of the children who went missing "
                        "had not been found.")  # fmt: skip
    else:
        who = f.of_authorities(n).replace("the ", "")
        second = Markup(
            "{} could tell us how many of the children who went missing had not been found."
        ).format(
            (only(n, f.contacted) + who).capitalize() if n < f.contacted else who.capitalize()
        )
        if f.get(key) == NOT_AVAILABLE:
            second += " Every one withheld its number as too small to disclose, so how many are "
            second += "still missing is not known."
        else:
            low = " (too few authorities for a figure for the UK)" if key in f.low else ""
            second += Markup(
                " Across those that gave a number, <strong>{}</strong> children were still "
                "missing when they answered{}."
            ).format(f.how_many(key), low)
    return [first, second]


def _answer_kinds(answers: dict) -> str:
    """'12 do not record it, 3 refused and 40 did not answer' (counts of authorities)."""
    parts = [
        f"{answers[kind]} {label}" for kind, label in NO_NUMBER_KINDS.items() if answers.get(kind)
    ]
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else ""


NO_NUMBER_KINDS = {  # the answers that give no number, as the one vocabulary says them
    kind: cell_codes.CATEGORY_LABELS[kind]
    for kind in (
        cell_codes.NOT_RECORDED,
        cell_codes.REFUSED,
        cell_codes.REDIRECTED,
        cell_codes.OTHER_BASIS,
        cell_codes.NO_RESPONSE,
    )
}


def identification_paragraphs(f: Figures) -> list[Markup]:
    """Who gave no number for trafficked children in care, by kind of answer, and London."""
    answers = f.get("data_quality.trafficked_in_care")
    without = sum(answers.get(kind, 0) for kind in NO_NUMBER_KINDS)
    if not without and not answers["suppressed"]:
        first = Markup("Every authority told us how many trafficked children it looked after.")
    elif not without:
        first = Markup(
            f"Every authority answered: {answers['count'] or 'none'} gave a number of the "
            f"trafficked children it looked after and {answers['suppressed']} withheld it as too "
            "small to disclose."
        )
    else:
        first = Markup(
            "{} gave no number for the trafficked children they looked after: {}. Some "
            "authorities do not record whether a child has been trafficked at all; others "
            "record it in case notes that cannot be searched. Children who are exploited may be "
            "recorded only as victims of sexual exploitation, or as offenders, and never "
            "identified as trafficked."
        ).format(f.of_authorities(without).capitalize(), _answer_kinds(answers))
    london = f.get("london")
    if not london["authorities"]:
        return [first]
    zero, unable, asked = (
        london["reporting_zero_trafficked"],
        london["unable_trafficked"],
        london["authorities"],
    )
    # "Shows the problem" (the capital is a major destination for traffickers) is said only
    # where at least a quarter of London's authorities told us they looked after none.
    if zero * 4 >= asked and zero:
        second = Markup(
            f"London shows the problem clearly. Although the capital is a major destination for "
            f"traffickers, {zero} of the {asked} London authorities told us they looked after "
            f"no trafficked children, and {unable} more gave no number at all."
        )
    else:
        rest = f"{unable} gave no number" if unable else f"all {asked} could tell us"
        second = Markup(
            f"{zero or 'None'} of the {asked} London authorities told us they looked after no "
            f"trafficked children, and {rest}."
        )
    return [first, second]


def change_paragraph(f: Figures, compared: dict[str, str]) -> Markup:
    """This edition's shares against the previous edition's (`compared`: the generated
    comparison for each group, "" where there is none to make)."""
    said = []
    leads = {
        "trafficked": "The share of trafficked children in care who went missing",
        "unaccompanied": "for unaccompanied children it",
    }
    for group, lead in leads.items():
        key = f"{group}.share_went_missing"
        if f.shown(key):
            text = f"{lead} was {formatting.percent(f.get(key))} in this edition"
            if compared.get(group):
                text += f", {compared[group]}"
        elif key in f.low:
            text = f"{lead} rests on too few authorities in this edition to compare"
        else:
            text = f"{lead} is not known in this edition"
        said.append(text)
    return Markup(
        f"Each edition of the series asked the same questions. {said[0]}; {said[1]}. Every "
        "edition's figures are computed again here from its own returns, exactly as that "
        "edition computed them."
    )


# Judging words. Each is said only where a rule on the figures holds, so that a sentence
# written for one edition's data can never be printed of another's (tests/test_prose.py
# checks each over a grid of answer patterns).
_WORDS = "three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
NUMBER_WORDS = dict(enumerate([*_WORDS.split(" "), "sixteen", "seventeen", "eighteen",
                               "nineteen", "twenty"], start=3))  # fmt: skip


def only(n: int, total: int) -> str:
    """ "only " before "n of the total" where fewer than half could say: never "only 211 of
    the 212"."""
    return "only " if 2 * n < total else ""


def only_rate(rate: float) -> str:
    """Says "only " before a reporting rate below nine in ten: every authority has the duty to
    answer, so a rate that low is a gap ("Only 80% of authorities could tell us"), while 95%
    is not."""
    return "only " if rate < 0.9 else ""


def times_the(share: float, base: float) -> str:
    """A share beside a base share: "about three times", "about twice", "more than", "about the
    same as", "less than" (the ratio rounded half up; "times" from 1.75)."""
    ratio = share / base
    if ratio >= 1.75:
        times = int(ratio + 0.5)
        if times > max(NUMBER_WORDS):
            return "more than twenty times"
        return "about twice" if times == 2 else f"about {NUMBER_WORDS[times]} times"
    if ratio >= 1.15:
        return "more than"
    if ratio > 1 / 1.15:
        return "about the same as"
    return "less than"


def looked_after_comparison(f: Figures, group: str, cited: Markup, base: float) -> Markup:
    """The group's share who went missing beside that of all looked-after children (`cited`:
    the fact with its footnote; `base`: its share)."""
    key = f"{group}.share_went_missing"
    if not f.shown(key) or not isinstance(f.get(key), float | int):
        return Markup(
            "How many {} children in care went missing is not known well enough in this "
            "edition to set beside all looked-after children in England, of whom {} went missing."
        ).format(group, cited)
    share = f.get(key)
    return Markup(
        "{} of {} children in care went missing at least once, {} the share of all "
        "looked-after children in England who went missing: {}."
    ).format(formatting.percent(share), group, times_the(share, base), cited)


def longer_comparison(f: Figures, cited: Markup, base: float) -> Markup:
    """Missing for more than a week, beside all missing children (`cited`, `base` as above)."""
    key = "combined.missing_over_week_share"
    text = Markup("Among all missing children in the UK, about {} are away for more than a week")
    if not f.shown(key):
        return text.format(cited) + Markup(
            "; how many trafficked and unaccompanied children stayed away that long is not "
            "known well enough in this edition to compare."
        )
    return text.format(cited) + Markup(
        "; among the trafficked and unaccompanied children who went missing, the share was {} "
        "that."
    ).format(times_the(f.get(key), base))


ENGLISH_REGIONS = 9


def regions_paragraph(f: Figures, named: str) -> Markup:
    """The share of each group in the regions an edition looks at (`named`, listed). "Were
    concentrated" is said only where those regions, fewer than half of England's, hold at least
    half of each group."""
    shares = [f.get(f"regions.{group}_in_care_focus_share") for group in GROUPS]
    focus = f.get("regions.focus")
    text = Markup("{} together looked after {} of the {} trafficked children and {} of the {} "
                  "unaccompanied children.").format(
        named,
        formatting.percent(shares[0]),
        f.how_many("trafficked.in_care"),
        formatting.percent(shares[1]),
        f.how_many("unaccompanied.in_care"),
    )  # fmt: skip
    if all(isinstance(s, float | int) and s >= 0.5 for s in shares) and (
        2 * len(focus) < ENGLISH_REGIONS
    ):
        return (
            "Trafficked and unaccompanied children were concentrated in a few parts of England. "
            + text
        )
    return text
