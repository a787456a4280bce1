"""The report's charts, drawn from stats.json and saved as deterministic SVG."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .codes import CATEGORIES, CATEGORY_LABELS  # noqa: E402
from .formatting import number, percent  # noqa: E402

# Same inputs, same bytes: fixed ids in the SVG, no timestamp, text kept as text.
STYLE = {
    "svg.hashsalt": "heading-back-to-harm",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
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
    if stats.get("illustrative"):
        fig.text(
            0.99, 0.01, "Illustrative data", ha="right", va="bottom", fontsize=8, color="#7a5b00"
        )
    return fig


def save_svg(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(STYLE):  # the id salt is read when saving
        fig.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(fig)
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
    rows = stats["regions"]["table"]
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


def _shown(value) -> bool:
    """A number to draw: not missing, not withheld by disclosure control."""
    return isinstance(value, int | float) and not isinstance(value, bool)
