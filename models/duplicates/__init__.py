"""Near-duplicate reports: an index of past reports and a calibrated pair scorer.

Candidates for a report come from MinHash LSH over character shingles of its normalised text
(datasketch MinHash signatures; band tables kept as sorted numpy arrays plus a small dict for
reports added since the last compaction, so adding one report never rebuilds anything), and from
earlier reports of the same kelurahan; both restricted to the same regency and a time window.
The best candidates by MinHash similarity are scored by a logistic regression over text
similarity (char TF-IDF cosine, MinHash Jaccard, length ratio), place (same kelurahan/kecamatan,
same address, house numbers, street words, a street named only in the other report's text),
time gap and same topic/agency. When that first stage is unsure, a second stage adds the cosine
of multilingual USE sentence embeddings: embeddings alone rate "the same problem in another
village" as similar as a true repeat, so place always counts, down to the house number (the same
words sent for house 39 and house 41 are two problems).
"""
