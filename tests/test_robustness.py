"""No text, however odd, makes the per-document stages raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veille.models import Rejection

FRAGMENTS = [
    "La Russie a livré des S-400 à la Turquie en juillet 2019.",
    "Pékin a nié avoir fourni des armes.",
    "Le 5 octobre 2018, New Delhi a signé",
    "• Lire aussi :",
    " date 2021-06 ",
    "«",
    "\n\n",
    "Su-57",
    "ministre chinois de la Défense",
    "homologue turc",
    "5,43 mds $",
    "",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=12))
def test_process_never_raises(analyse, parts: list[str]) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(parts)
    result = analyse(text)
    if not isinstance(result, Rejection):
        for m in result.mentions:
            assert result.clean.body[m.start : m.end] == m.text
