"""The embedded default deployment: seeded synthetic reports for Kabupaten Kutai Timur.

Reports are written the way citizens write (slang, typos, no punctuation, greetings, Banjar/Kutai
words), follow weekday/hour intake patterns, carry disposition and follow-up times, and fill every
label of the schema: channel, LAPOR! topic and sub-topic, the OPD, urgency with a reason code, and
duplicate chains (the same problem reported again in other words days later). Everything is
deterministic for a given seed, and rows are generated lazily so a million can be streamed.
"""
