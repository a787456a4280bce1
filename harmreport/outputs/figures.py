"""The report's charts, drawn from stats.json and saved as deterministic SVG.

Each chart is drawn twice: wide, for the PDF and desktop screens, and narrow, for phones, at the
width it is shown at so that its text stays readable (the page picks one with <picture>)."""

import io
import math
import re
from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.patches import RegularPolygon  # noqa: E402

from harmreport.intake.cell_codes import CATEGORIES, CATEGORY_LABELS, category_of, in_use  # noqa: E402
from harmreport.outputs.fonts import font_files  # noqa: E402
from harmreport.project import editions  # noqa: E402
from harmreport.project.formatting import by_size, number, percent  # noqa: E402

# Lato by its files, not by matplotlib's font cache: a cache made before the font was
# installed would silently draw every chart in the fallback font (other bytes, other layout).
for _name, _path in font_files().items():
    if _name.startswith("Lato-"):
        font_manager.fontManager.addfont(str(_path))

# Same inputs, same bytes: fixed ids in the SVG, no timestamp, text kept as text.
STYLE = {
    "svg.hashsalt": "heading-back-to-harm",
    "svg.fonttype": "none",
    "font.family": ["Lato", "DejaVu Sans"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# Narrow charts are drawn about as wide as a phone shows them (320-340 CSS px): 12 pt text
# reads at 12 px or more there.
NARROW_WIDTH = 3.3  # inches
NARROW = {**STYLE, "font.size": 12, "legend.fontsize": 12}
# One colour per meaning in every chart, from the colour-blind-safe Okabe-Ito palette: a
# group of children is always the same colour, and so is each kind of answer.
GROUP_COLOURS = {"trafficked": "#0072B2", "unaccompanied": "#D55E00"}
ANSWER_COLOURS = dict(
    zip(
        CATEGORIES,
        ["#009E73", "#56B4E9", "#E69F00", "#CC79A7", "#F0E442", "#666666", "#BBBBBB"],
        strict=True,
    )
)
GROUP_LABELS = {"trafficked": "Trafficked children", "unaccompanied": "Unaccompanied children"}
QUESTION_LABELS = {
    "trafficked_in_care": "Trafficked: in care",
    "trafficked_went_missing": "Trafficked: went missing",
    "trafficked_missing_episodes": "Trafficked: missing episodes",
    "unaccompanied_in_care": "Unaccompanied: in care",
    "unaccompanied_went_missing": "Unaccompanied: went missing",
    "unaccompanied_missing_episodes": "Unaccompanied: missing episodes",
    "missing_over_week": "Missing over a week",
    "still_missing": "Still missing",
}
TILE_LABELS = {
    "count": "Gave a number",
    "suppressed": "Withheld a small number",
    "not_recorded": "Does not record it",
    "refused": "Refused",
    "redirected": "Sent us elsewhere",
    "other_basis": "Another period or group",
    "no_response": "Did not answer",
}
TREND_SERIES = {
    "trafficked_share_went_missing": "Trafficked children",
    "unaccompanied_share_went_missing": "Unaccompanied children",
}
STAMP = {"color": "#6b4f00", "fontweight": "bold"}


def style(narrow: bool) -> dict:
    return NARROW if narrow else STYLE


def label_illustrative(fig, stats: dict):
    """An illustrative chart says so across its middle, faint enough to read the chart
    through, so that no copy of it can pass for real figures."""
    if stats.get("illustrative"):
        size = plt.rcParams["font.size"] * 2.2  # scaled to the chart's own text, wide or narrow
        fig.text(0.5, 0.5, "Illustrative data", ha="center", va="center", rotation=25,
                 fontsize=size, alpha=0.22, zorder=10, **STAMP)  # fmt: skip
    return fig


def save_svg(fig, path: Path, title: str, description: str) -> Path:
    """The chart as SVG, with a <title> and <desc> for assistive technology."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    with plt.rc_context(STYLE):  # the id salt is read when saving
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    svg = re.sub(r"(\d\.\d)\d+", r"\1", buffer.getvalue())  # 0.1 pt: finer is invisible
    start = svg.index(">", svg.index("<svg")) + 1
    described = f"\n <title>{escape(title)}</title>\n <desc>{escape(description)}</desc>"
    path.write_text(svg[:start] + described + svg[start:], encoding="utf-8")
    return path


def save_both(draw, args: tuple, path: Path, title: str, description: str) -> Path:
    """`draw(*args)` saved at `path`, and its narrow version beside it (`<name>_narrow.svg`)."""
    save_svg(
        draw(*args, narrow=True), path.with_name(f"{path.stem}_narrow.svg"), title, description
    )
    return save_svg(draw(*args), path, title, description)


def share_went_missing_chart(stats: dict, narrow: bool = False):
    with plt.rc_context(style(narrow)):
        fig, ax = plt.subplots(figsize=(NARROW_WIDTH, 2.6) if narrow else (7, 2.2))
        groups = [g for g in GROUP_LABELS if _shown(stats[g]["share_went_missing"])]
        shares = [stats[g]["share_went_missing"] * 100 for g in groups]
        labels = [
            GROUP_LABELS[g].replace(" children", "") if narrow else GROUP_LABELS[g] for g in groups
        ]
        bars = ax.barh(labels, shares, color=[GROUP_COLOURS[g] for g in groups])
        for bar, g in zip(bars, groups, strict=True):
            base = stats[g]["share_went_missing_base"]
            label = percent(stats[g]["share_went_missing"])
            if not narrow:
                label += f" ({number(base['numerator'])} of {number(base['denominator'])})"
            ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, label, va="center")
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel(
            "Went missing at least once (%)"
            if narrow
            else "Share of children in care who went missing at least once (%)"
        )
        return label_illustrative(fig, stats)


def responses_chart(stats: dict, narrow: bool = False):
    answers = stats["data_quality"]
    with plt.rc_context(style(narrow)):
        fig, ax = plt.subplots(figsize=(NARROW_WIDTH, 5.6) if narrow else (7, 3.6))
        labels = [
            QUESTION_LABELS[q].replace(": ", ":\n") if narrow else QUESTION_LABELS[q]
            for q in answers
        ]
        left = [0] * len(answers)
        for category in in_use(answers):
            colour = ANSWER_COLOURS[category]
            values = [answers[q][category] for q in answers]
            ax.barh(labels, values, left=left, color=colour, label=CATEGORY_LABELS[category])
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.invert_yaxis()
        ax.set_xlim(0, stats["authorities"]["contacted"])
        ax.set_xlabel("Authorities")
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.3 if narrow else 0.4, -0.14 if narrow else -0.22),
            ncol=1 if narrow else 3,
            frameon=False,
        )
        return label_illustrative(fig, stats)


def regions_chart(stats: dict, narrow: bool = False):
    rows = by_size(stats["regions"]["table"], "trafficked_in_care", "area")
    with plt.rc_context(style(narrow)):
        if narrow:  # one panel above the other
            fig, axes = plt.subplots(2, 1, figsize=(NARROW_WIDTH, 8.2))
        else:
            fig, axes = plt.subplots(1, 2, figsize=(7, 4), sharey=True)
        for ax, (group, colour) in zip(axes, GROUP_COLOURS.items(), strict=False):
            # A [c] figure is left out: no bar, and the mark where the bar would start.
            values = [r[f"{group}_in_care"] for r in rows]
            drawn = [v if _shown(v) else 0 for v in values]
            ax.barh([r["area"] for r in rows], drawn, color=colour)
            for position, value in enumerate(values):
                if not _shown(value):
                    ax.text(0, position, f" {value}", va="center")
            ax.set_title(GROUP_LABELS[group], fontsize=12 if narrow else 10)
            ax.set_xlabel("Children in care")
        for ax in axes if narrow else axes[:1]:  # shared rows need turning only once
            ax.invert_yaxis()
        fig.tight_layout()
        return label_illustrative(fig, stats)


def tile_map_chart(
    answers, layout: dict, stats: dict, column: str = "trafficked_in_care", narrow: bool = False
):
    """One equal hexagon per authority contacted, coloured by how it answered `column`."""
    from harmreport.outputs.tile_map import positions

    centres = positions(list(answers["code"]), layout)
    colour_of = ANSWER_COLOURS
    with plt.rc_context(style(narrow)):
        fig, ax = plt.subplots(figsize=(NARROW_WIDTH, 4.4) if narrow else (6.2, 7.4))
        kinds = [category_of(answer) for answer in answers[column]]
        for code, category in zip(answers["code"], kinds, strict=True):
            ax.add_artist(  # not add_patch: the limits are set below, not from 200 hexagons
                RegularPolygon(
                    centres[code],
                    6,
                    radius=0.98 / math.sqrt(3),
                    facecolor=colour_of[category],
                    edgecolor="white",
                    linewidth=0.4 if narrow else 0.6,
                    gid=f"hex-{code}",
                )
            )
        xs = [x for x, _ in centres.values()]
        ys = [y for _, y in centres.values()]
        ax.set_xlim(min(xs) - 1, max(xs) + 1)
        ax.set_ylim(min(ys) - 1, max(ys) + 1)
        ax.set_aspect("equal")
        ax.axis("off")
        counts = pd.Series(kinds).value_counts()
        shown = in_use({column: counts.to_dict()})
        handles = [
            plt.Line2D(
                [],
                [],
                marker="h",
                linestyle="",
                markersize=11,
                color=colour_of[c],
                label=f"{TILE_LABELS[c]} ({int(counts.get(c, 0))})",
            )
            for c in shown
        ]
        place = (
            {"loc": "upper left", "bbox_to_anchor": (0, 0)} if narrow else {"loc": "upper left"}
        )
        ax.legend(
            handles=handles,
            frameon=False,
            title="How each authority answered",
            alignment="left",
            **place,
        )
        return label_illustrative(fig, stats)


def trend_chart(stats: dict, narrow: bool = False):
    """The share of each group who went missing, in every edition up to this one, each
    point placed at the middle of the period its edition asked about and labelled with it."""
    years = list(stats["trend"])
    periods = [editions.data_year(int(y)) for y in years]
    invented = invented_points(stats)
    when = [_middle(p.period_start, p.period_end) for p in periods]
    with plt.rc_context(style(narrow)):
        fig, ax = plt.subplots(figsize=(NARROW_WIDTH, 3.4) if narrow else (7, 3.2))
        for (key, label), marker in zip(TREND_SERIES.items(), "os", strict=True):
            group = key.split("_")[0]
            points = [
                (x, y, stats["trend"][y][key])
                for x, y in zip(when, years, strict=True)
                if _shown(stats["trend"][y][key])
            ]
            if not points:
                continue
            xs, _, shares = zip(*points, strict=True)
            colour = GROUP_COLOURS[group]
            ax.plot(xs, [v * 100 for v in shares], marker=marker, label=label, color=colour)
            for x, year, share in points:
                ax.annotate(percent(share), (x, share * 100), textcoords="offset points",
                            xytext=(0, 7), ha="center")  # fmt: skip
                if (year, group) in invented:  # drawn open
                    ax.plot([x], [share * 100], marker=marker, color=colour, mfc="white")
        ax.set_xticks(when, [_period_tick(p) for p in periods], fontsize="small")
        ax.set_xlim(min(when) - 0.8, max(when) + 0.8)
        highest = max(
            (stats["trend"][y][k] * 100 for y in years for k in TREND_SERIES
             if _shown(stats["trend"][y][k])),
            default=40,
        )  # fmt: skip
        ax.set_ylim(0, max(50, highest + 10))
        ax.set_ylabel("Went missing at least once (%)")
        place = (
            {"loc": "upper left", "bbox_to_anchor": (0, -0.25)}
            if narrow
            else {"loc": "upper left", "bbox_to_anchor": (1.0, 1.0)}
        )
        handles, labels = ax.get_legend_handles_labels()
        if invented:  # an open point is one the published edition did not give
            handles.append(plt.Line2D([], [], marker="o", linestyle="", color="#4a4a4a",
                                      markerfacecolor="white"))  # fmt: skip
            labels.append("Invented: not a published figure")
        ax.legend(handles, labels, frameon=False, **place)
        return label_illustrative(fig, stats)


def invented_points(stats: dict) -> set[tuple[str, str]]:
    """The (year, group) of each share on the trend chart that no published edition gave but
    illustrative returns invented: every such point of an illustrative edition, and, in a real
    edition, those of the earlier editions it holds only illustrative returns for."""
    published = editions.published_figure_keys()
    return {
        (year, group)
        for year, figures in stats["trend"].items()
        if stats.get("illustrative") or figures.get("illustrative")
        for group in GROUP_COLOURS
        if (year, f"{group}.share_went_missing") not in published
    }


def _middle(start, end) -> float:
    """A period's middle as a year with a fraction (2017.5 for the whole of 2017)."""
    middle = start + (end - start) / 2
    return middle.year + (middle.timetuple().tm_yday - 0.5) / 365.25


def _period_tick(period) -> str:
    start, end = period.period_start, period.period_end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start:%b %Y}–\n{end:%b %Y}"


def nationalities_chart(stats: dict, group: str, shown: int = 8, narrow: bool = False):
    """Children who went missing by nationality, the most common first; [c] rows left out."""
    rows = [r for r in stats["nationalities"][group]["ranking"] if _shown(r["went_missing"])]
    rows = rows[:shown]
    with plt.rc_context(style(narrow)):
        height = 0.45 * max(len(rows), 1) + 0.9
        fig, ax = plt.subplots(figsize=(NARROW_WIDTH, height + 0.3) if narrow else (7, height))
        names = [r["nationality"] for r in rows]
        values = [r["went_missing"] for r in rows]
        colour = GROUP_COLOURS[group]
        bars = ax.barh(names, values, color=colour)
        for bar, value in zip(bars, values, strict=True):
            ax.text(
                bar.get_width(),
                bar.get_y() + bar.get_height() / 2,
                f" {number(value)}",
                va="center",
            )
        ax.invert_yaxis()
        ax.set_xlabel(f"{GROUP_LABELS[group]} who went missing")
        ax.set_xlim(0, max(values, default=1) * 1.2)
        return label_illustrative(fig, stats)


def in_care_and_missing_chart(stats: dict, narrow: bool = False):
    """Children in care and children who went missing, for each group."""
    with plt.rc_context(style(narrow)):
        fig, axes = plt.subplots(1, 2, figsize=(NARROW_WIDTH, 3.0) if narrow else (7, 2.6))
        for ax, group in zip(axes, GROUP_LABELS, strict=True):
            labels = ["In care", "Missing"] if narrow else ["In care", "Went missing"]
            values = [stats[group]["in_care"], stats[group]["went_missing"]]
            drawn = [v if _shown(v) else 0 for v in values]
            colour = GROUP_COLOURS[group]  # in care a tint of the group's colour, missing full
            bars = ax.bar(labels, drawn, color=[colour, colour], edgecolor=colour)
            bars[0].set_alpha(0.35)
            for bar, value in zip(bars, values, strict=True):
                text = number(value) if _shown(value) else str(value)
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_height(),
                    text,
                    ha="center",
                    va="bottom",
                )
            title = GROUP_LABELS[group].replace(" children", "") if narrow else GROUP_LABELS[group]
            ax.set_title(title, fontsize=12 if narrow else 10)
            ax.set_ylim(0, max(drawn + [1]) * 1.2)
            ax.set_yticks([])
            ax.spines["left"].set_visible(False)
        return label_illustrative(fig, stats)


def _shown(value) -> bool:
    """A number to draw: not missing, not withheld by disclosure control."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def save_preview(stats: dict, edition, path: Path) -> Path:
    """The sharing preview (Open Graph), 1200 x 630 pixels: the publishers, the title, the
    period (with its year) and the headline share, each left-aligned on one margin."""
    share = stats["trafficked"]["share_went_missing"]
    # A share resting on too few authorities is no finding for the UK: the title alone.
    low = "trafficked.share_went_missing" in stats.get("low_reliability", {})
    left, white = 0.06, "white"
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(12, 6.3), dpi=100, facecolor="#00558c")
        fig.text(left, 0.91, " and ".join(edition.publishers), fontsize=22, color=white, va="top")
        fig.text(left, 0.78, edition.title, fontsize=44, color=white, fontweight="bold", va="top")
        fig.text(
            left, 0.60, f"Data for {edition.period_label}", fontsize=22, color=white, va="top"
        )
        if _shown(share) and not low:
            fig.text(left, 0.47, percent(share), fontsize=64, color=white, fontweight="bold",
                     va="top")  # fmt: skip
            fig.text(left, 0.31, "of trafficked children in care went missing at least once",
                     fontsize=22, color=white, va="top")  # fmt: skip
        if stats.get("illustrative"):
            fig.text(left, 0.09, "Illustrative data", fontsize=18, color="#fff4ce", va="top")
        fig.savefig(
            path, format="png", dpi=100, metadata={"Software": None}, facecolor=fig.get_facecolor()
        )
    plt.close(fig)
    return path
