"""The report's charts, drawn from stats.json and saved as deterministic SVG."""

import io
import math
from html import escape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import RegularPolygon  # noqa: E402

from .codes import CATEGORIES, CATEGORY_LABELS  # noqa: E402
from .formatting import by_size, number, percent  # noqa: E402

# Same inputs, same bytes: fixed ids in the SVG, no timestamp, text kept as text.
STYLE = {
    "svg.hashsalt": "heading-back-to-harm",
    "svg.fonttype": "none",
    "font.family": ["Lato", "DejaVu Sans"],
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
# Colour-blind-safe palette (Okabe-Ito), in category order.
COLOURS = ["#0072B2", "#56B4E9", "#E69F00", "#D55E00", "#BBBBBB"]
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


def label_illustrative(fig, stats: dict):
    """The stamp sits above the drawing, where it can overprint nothing."""
    if stats.get("illustrative"):
        fig.text(0.0, 1.0, "Illustrative data", ha="left", va="bottom", **STAMP)
    return fig


STAMP = {"fontsize": 8, "color": "#6b4f00", "fontweight": "bold"}


def save_svg(fig, path: Path, title: str, description: str) -> Path:
    """The chart as SVG, with a <title> and <desc> for assistive technology."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    with plt.rc_context(STYLE):  # the id salt is read when saving
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    start = svg.index(">", svg.index("<svg")) + 1
    described = f"\n <title>{escape(title)}</title>\n <desc>{escape(description)}</desc>"
    path.write_text(svg[:start] + described + svg[start:], encoding="utf-8")
    return path


def share_went_missing_chart(stats: dict):
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7, 2.2))
        groups = [g for g in GROUP_LABELS if _shown(stats[g]["share_went_missing"])]
        shares = [stats[g]["share_went_missing"] * 100 for g in groups]
        bars = ax.barh([GROUP_LABELS[g] for g in groups], shares, color=COLOURS[:2])
        for bar, g in zip(bars, groups, strict=True):
            base = stats[g]["share_went_missing_base"]
            label = (
                f"{percent(stats[g]['share_went_missing'])} "
                f"({number(base['numerator'])} of {number(base['denominator'])})"
            )
            ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, label, va="center")
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("Share of children in care who went missing at least once (%)")
        return label_illustrative(fig, stats)


def responses_chart(stats: dict):
    answers = stats["data_quality"]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7, 3.6))
        labels = [QUESTION_LABELS[q] for q in answers]
        left = [0] * len(answers)
        for colour, category in zip(COLOURS, CATEGORIES, strict=True):
            values = [answers[q][category] for q in answers]
            ax.barh(labels, values, left=left, color=colour, label=CATEGORY_LABELS[category])
            left = [a + b for a, b in zip(left, values, strict=True)]
        ax.invert_yaxis()
        ax.set_xlim(0, stats["authorities"]["contacted"])
        ax.set_xlabel("Authorities")
        ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.22), ncol=3, frameon=False)
        return label_illustrative(fig, stats)


def regions_chart(stats: dict):
    rows = by_size(stats["regions"]["table"], "trafficked_in_care", "area")
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(7, 4), sharey=True)
        for ax, group, colour in zip(axes, GROUP_LABELS, COLOURS, strict=False):
            # A [c] figure is left out: no bar, and the mark where the bar would start.
            values = [r[f"{group}_in_care"] for r in rows]
            drawn = [v if _shown(v) else 0 for v in values]
            ax.barh([r["area"] for r in rows], drawn, color=colour)
            for position, value in enumerate(values):
                if not _shown(value):
                    ax.text(0, position, f" {value}", va="center", fontsize=8)
            ax.set_title(GROUP_LABELS[group], fontsize=10)
            ax.set_xlabel("Children in care")
        axes[0].invert_yaxis()
        return label_illustrative(fig, stats)


TILE_LABELS = {
    "count": "Gave a number",
    "suppressed": "Withheld a small number",
    "not_recorded": "Does not record it",
    "refused": "Refused",
    "no_response": "Did not answer",
}


def tile_map_chart(answers, layout: dict, stats: dict, column: str = "trafficked_in_care"):
    """One equal hexagon per authority contacted, coloured by how it answered `column`."""
    centres = hexmap_positions(answers["code"], layout)
    colour_of = dict(zip(CATEGORIES, COLOURS, strict=True))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(6.2, 7.4))
        for code, category in zip(answers["code"], answers[column], strict=True):
            ax.add_patch(
                RegularPolygon(
                    centres[code],
                    6,
                    radius=0.98 / math.sqrt(3),
                    facecolor=colour_of[category],
                    edgecolor="white",
                    linewidth=0.6,
                    gid=f"hex-{code}",
                )
            )
        xs = [x for x, _ in centres.values()]
        ys = [y for _, y in centres.values()]
        ax.set_xlim(min(xs) - 1, max(xs) + 1)
        ax.set_ylim(min(ys) - 1, max(ys) + 1)
        ax.set_aspect("equal")
        ax.axis("off")
        counts = answers[column].value_counts()
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
            for c in CATEGORIES
        ]
        ax.legend(
            handles=handles,
            loc="upper left",
            frameon=False,
            fontsize=9,
            title="How each authority answered",
            title_fontsize=9,
            alignment="left",
        )
        return label_illustrative(fig, stats)


def hexmap_positions(codes, layout):
    from .hexmap import positions

    return positions(list(codes), layout)


TREND_SERIES = {
    "trafficked_share_went_missing": "Trafficked children",
    "unaccompanied_share_went_missing": "Unaccompanied children",
}


def trend_chart(stats: dict):
    """The share of each group who went missing, in every edition up to this one."""
    years = list(stats["trend"])
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7, 3.2))
        for (key, label), colour, marker in zip(TREND_SERIES.items(), COLOURS, "os", strict=False):
            shares = [stats["trend"][y][key] for y in years]
            points = [(i, share * 100) for i, share in enumerate(shares) if _shown(share)]
            if points:
                ax.plot(*zip(*points, strict=True), marker=marker, color=colour, label=label)
                for (i, value), share in zip(points, filter(_shown, shares), strict=True):
                    ax.annotate(
                        percent(share),
                        (i, value),
                        textcoords="offset points",
                        xytext=(0, 7),
                        ha="center",
                        fontsize=9,
                    )
        ax.set_xticks(range(len(years)), years)
        ax.set_xlim(-0.4, len(years) - 0.6)
        highest = max(
            (
                stats["trend"][y][k] * 100
                for y in years
                for k in TREND_SERIES
                if _shown(stats["trend"][y][k])
            ),
            default=40,
        )
        ax.set_ylim(0, max(50, highest + 10))
        ax.set_ylabel("Went missing at least once (%)")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        return label_illustrative(fig, stats)


def nationalities_chart(stats: dict, group: str, shown: int = 8):
    """Children who went missing by nationality, the most common first; [c] rows left out."""
    rows = [r for r in stats["nationalities"][group]["ranking"] if _shown(r["went_missing"])]
    rows = rows[:shown]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(rows), 1) + 0.9))
        names = [r["nationality"] for r in rows]
        values = [r["went_missing"] for r in rows]
        colour = COLOURS[0 if group == "trafficked" else 1]
        bars = ax.barh(names, values, color=colour)
        for bar, value in zip(bars, values, strict=True):
            ax.text(
                bar.get_width(),
                bar.get_y() + bar.get_height() / 2,
                f" {number(value)}",
                va="center",
                fontsize=9,
            )
        ax.invert_yaxis()
        ax.set_xlabel(f"{GROUP_LABELS[group]} who went missing")
        ax.set_xlim(0, max(values, default=1) * 1.15)
        return label_illustrative(fig, stats)


def in_care_and_missing_chart(stats: dict):
    """Children in care and children who went missing, for each group."""
    groups = list(GROUP_LABELS)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(7, 2.6))
        for ax, group in zip(axes, groups, strict=True):
            labels = ["In care", "Went missing"]
            values = [stats[group]["in_care"], stats[group]["went_missing"]]
            drawn = [v if _shown(v) else 0 for v in values]
            bars = ax.bar(labels, drawn, color=[COLOURS[1], COLOURS[2]])
            for bar, value in zip(bars, values, strict=True):
                text = number(value) if _shown(value) else str(value)
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_height(),
                    text,
                    ha="center",
                    va="bottom",
                    fontsize=9,
                )
            ax.set_title(GROUP_LABELS[group], fontsize=10)
            ax.set_ylim(0, max(drawn + [1]) * 1.2)
            ax.set_yticks([])
            ax.spines["left"].set_visible(False)
        return label_illustrative(fig, stats)


def _shown(value) -> bool:
    """A number to draw: not missing, not withheld by disclosure control."""
    return isinstance(value, int | float) and not isinstance(value, bool)
