"""When to stop and get help: the first-run note and the signs that need a doctor soon."""

from __future__ import annotations

NOTE = """\
## Before you start

trainer guides you through exercises; it is **not medical advice**.

- If you have pain, a recent injury or a health condition, check with a doctor or
  physical therapist before starting.
- Start slowly and increase gradually.
- **Stop** if you feel sharp pain, numbness or tingling, and get it checked.
"""

RED_FLAGS = """\
## See a doctor soon

Most back and knee pain eases with time and gentle movement. A few signs are
different: stop exercising and get medical advice soon (the same day, or
urgently if they come on suddenly) if you notice any of these:

- numbness in the groin or saddle area (where you would sit on a saddle);
- new trouble controlling your bladder or bowels;
- weakness in a leg that is getting worse, or a foot that drags;
- fever, or weight loss you cannot explain, together with back pain;
- pain after a fall or an accident;
- pain that is worse at night and does not ease with rest or changing position.

A check-in with pain of 7 or more out of 10 means it is time to ease off: a
program then stops suggesting harder stages until you say you are ready
(`trainer program ready`), ideally after talking to a professional.
"""


def full_text() -> str:
    """The whole safety text, first-run note first."""
    return NOTE + "\n" + RED_FLAGS
