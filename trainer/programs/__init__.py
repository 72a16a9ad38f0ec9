"""Programs followed week by week: the stage a person is in and what is due today (pure)."""
