"""Parses an OpenMetrics exposition (stdin) with the Prometheus project's Python client, the
strict OpenMetrics parser (it refuses a missing `# EOF`, a counter without `_total`, buckets
out of order, a histogram without `+Inf` or whose `_count` is not its `+Inf` bucket, ...),
and prints what it read as JSON: one object per family with its type, unit and samples."""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

text = sys.stdin.read()
families = []
for family in text_string_to_metric_families(text):
    families.append({
        "name": family.name,
        "type": family.type,
        "unit": family.unit,
        "samples": [[s.name, s.labels, s.value] for s in family.samples],
    })
json.dump(families, sys.stdout, sort_keys=True)
