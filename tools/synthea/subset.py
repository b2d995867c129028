#!/usr/bin/env python3
"""Cuts the committed test fixtures out of a Synthea population (docs/real-world-data.md).

    tools/synthea/subset.py target/synthea/fhir src/test/resources/synthea \
        ckd4-egfr-mdrd=fca09a65 ckd3-long-history=5e0f6a2f ...

Each NAME=ID (an id prefix is enough) writes NAME.json: a collection Bundle of the patient's
resources as Synthea wrote them, trimmed to what the services read: the Patient; every Condition
and AllergyIntolerance; the MedicationRequests, MedicationAdministrations and Observations of the
last YEARS years (a resource is kept or dropped whole, never edited), Observations only of the
codes in KEPT_CODES, with the latest result of each code whatever its age (the rules read "the
latest eGFR" with no lookback); and the Medications those orders reference. The Bundle's timestamp is the
population's reference date, from which the tests move the dates to today.
"""
import datetime
import json
import sys
from pathlib import Path

YEARS = 3

# What the services' value sets name (hooks/*.json and fhir-resources/valueset/), the renal codes
# Synthea uses (MDRD eGFR 33914-3, blood creatinine 38483-4) and two common panel results that
# no rule reads (HbA1c 4548-4, hemoglobin 718-7), as an EHR that ignores a code filter sends them.
KEPT_CODES = set("""
16128-1 13955-0 71773-6 1648-5 2465-3 2472-9 2458-8 58410-2 57021-8 6690-2 26464-8 1742-6 1920-8
2160-0 38483-4 33914-3 98979-8 62238-1 98980-6 2106-3 2118-8 80384-1 19080-1 83086-9 8302-2 29463-7
8116-6 8117-4 33929-1 77348-1 11253-2 5196-1 5195-3 16933-4 13952-7 10900-9 22322-2 16935-9 5193-8
4548-4 718-7
""".split())

DATED = {
    "MedicationRequest": lambda r: r.get("authoredOn", ""),
    "MedicationAdministration": lambda r: r.get("effectiveDateTime", r.get("effectivePeriod", {}).get("start", "")),
    "Observation": lambda r: r.get("effectiveDateTime", r.get("effectivePeriod", {}).get("start", "")),
}


def read(folder, resource_type):
    path = Path(folder) / f"{resource_type}.ndjson"
    if not path.exists():
        return []
    with path.open() as lines:
        return [json.loads(line) for line in lines if line.strip()]


def patient_of(resource):
    reference = (resource.get("subject") or resource.get("patient") or {}).get("reference", "")
    return reference.split("/")[-1]


def main(population, out, selections):
    reference_date = reference_date_of(population)
    since = (reference_date - datetime.timedelta(days=365 * YEARS)).isoformat()
    patients = {p["id"]: p for p in read(population, "Patient")}
    medications = {m["id"]: m for m in read(population, "Medication")}
    by_patient = {}
    for resource_type in ("Condition", "AllergyIntolerance", "MedicationRequest", "MedicationAdministration", "Observation"):
        for resource in read(population, resource_type):
            by_patient.setdefault(patient_of(resource), []).append(resource)
    for selection in selections:
        name, prefix = selection.split("=", 1)
        [patient_id] = [pid for pid in patients if pid.startswith(prefix)]
        kept = [patients[patient_id]]
        latest = {}
        for resource in by_patient.get(patient_id, []):
            if resource["resourceType"] == "Observation":
                code = resource["code"]["coding"][0]["code"]
                if code not in KEPT_CODES:
                    continue
                if code not in latest or DATED["Observation"](latest[code]) < DATED["Observation"](resource):
                    latest[code] = resource
        for resource in by_patient.get(patient_id, []):
            dated = DATED.get(resource["resourceType"])
            if resource["resourceType"] == "Observation" and resource["code"]["coding"][0]["code"] not in KEPT_CODES:
                continue
            if dated and dated(resource)[:10] < since and not any(resource is r for r in latest.values()):
                continue
            kept.append(resource)
        referenced = []
        for resource in kept:
            target = resource.get("medicationReference", {}).get("reference", "")
            if target.startswith("Medication/") and medications.get(target[11:]) not in referenced:
                referenced.append(medications[target[11:]])
        # One entry a line: small, and a change to one resource is a one-line diff.
        entries = ",\n".join(json.dumps({"resource": r}, separators=(",", ":")) for r in kept + referenced)
        header = {"resourceType": "Bundle", "type": "collection", "timestamp": reference_date.isoformat() + "T00:00:00Z"}
        target_file = Path(out) / f"{name}.json"
        target_file.write_text(json.dumps(header, separators=(",", ":"))[:-1] + ',"entry":[\n' + entries + "\n]}\n")
        print(f"{target_file}: {len(kept) + len(referenced)} resources of patient {patient_id}")


def reference_date_of(population):
    """The day the simulation stopped (-e), from the run's metadata beside the fhir/ folder."""
    [metadata] = sorted((Path(population).parent / "metadata").glob("*.json"))[-1:]
    end = json.loads(metadata.read_text())["endTime"]
    return datetime.date(int(end[:4]), int(end[4:6]), int(end[6:8]))


if __name__ == "__main__":
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
