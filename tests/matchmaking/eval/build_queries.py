"""Build queries.jsonl: the judged evaluation set (docs/ranker.md, "Evaluation set").

Run from the project root against a database holding the demo data:
    DEBUG=1 python manage.py shell -c "import runpy; runpy.run_path(
        'tests/matchmaking/eval/build_queries.py', run_name='__main__')"

Queries: every demo foreign firm's "seeks" text (English; Japanese too where the firm wrote
one) and hand-written English needs whose best answer is a Japanese-only profile. Pool: the
top 10 of six systems (the ranker, the ranker without glossary, the ranker with bigrams,
plain word TF-IDF, character bigrams, BM25). Grades, by the rubric in docs/ranker.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from matchmaking.benchmarks import quality
from matchmaking.search.documents import glossary_concepts, organization_documents
from profiles.models import Organization

HERE = Path(__file__).resolve().parent
FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"

# English needs written from reading each Japanese-only profile (their offers_ja).
CROSS_LANGUAGE = {
    "demo-0007": "Looking for a machine shop that grinds and splines hollow motor shafts "
    "to a few microns for our EV prototypes.",
    "demo-0014": "We need worm gears and bevel gears cut and ground, with carburized tooth "
    "flanks, for robot reducer prototypes.",
    "demo-0027": "Need cold forging dies, carbide dies and punches, including regrinding, "
    "on short lead times.",
    "demo-0045": "Looking for zinc-nickel electroplating with trivalent chromate passivation "
    "and in-house salt spray corrosion testing.",
    "demo-0054": "Need steel castings in carbon and stainless steel with heat treatment and "
    "ultrasonic inspection, for ship parts.",
    "demo-0072": "Want a supplier of visual inspection systems that detect scratches, dents "
    "and foreign matter on existing production lines.",
    "demo-0096": "Seeking a partner for heavy aluminium wire bonding, copper clip attach and "
    "sintered silver die attach for power modules.",
    "demo-0106": "We source ultra-high-vacuum gate valves, pendulum pressure control valves "
    "and welded bellows in small custom lots.",
    "demo-0124": "Looking for femtosecond laser micro-drilling and laser cutting of stent tubes.",
    "demo-0133": "Need carbon fibre fabrics and hybrid aramid weaves, including 3D woven "
    "preforms, in small lots.",
    "demo-0160": "Seeking a refiner of battery-grade lithium hydroxide and high-purity lithium "
    "carbonate, and treatment of lithium waste liquids.",
    "demo-0169": "Looking for hydrogen storage alloy powders and metal hydride tanks for a "
    "hydrogen storage system.",
    "demo-0178": "Need offshore geotechnical surveys, cone penetration tests and floating "
    "lidar wind measurements for an offshore wind farm.",
    "demo-0188": "Looking for micro-machining of endoscope bending rings, forceps tips and "
    "catheter marker bands in platinum-iridium.",
    "demo-0202": "Seeking contract manufacturing of Kampo herbal medicine extract granules "
    "under GMP.",
    "demo-0215": "We import wooden walkers, handrails and rehabilitation training equipment "
    "for elderly care.",
    "demo-0233": "Need vulnerability assessments for factory OT networks and security "
    "training for our staff.",
    "demo-0261": "Looking for agricultural drone spraying services and multispectral crop "
    "monitoring by remote sensing.",
    "demo-0275": "We want to import light-coloured soy sauce, reduced-salt soy sauce and "
    "halal soy sauce in small lots.",
    "demo-0306": "Seeking a supplier of raw oysters tested for norovirus, and of traditional "
    "fish sauce.",
    "demo-0339": "Looking for bentwood lunch boxes and lacquered cedar tableware made by "
    "traditional craftsmen.",
    "demo-0360": "Interested in hot-spring binary geothermal power generation and the "
    "cascading use of its waste heat.",
}


def main() -> None:
    organizations = json.loads((FIXTURES / "organizations.json").read_text("utf-8"))
    firms = json.loads((FIXTURES / "foreign_firms.json").read_text("utf-8"))
    theme = {o["external_id"]: o["theme"] for o in organizations}
    kind = {o["external_id"]: o["kind"] for o in organizations}
    groups = {o["external_id"]: {c[:3] for c in o["industries"]} for o in organizations}
    demo = Organization.objects.filter(source=Organization.Source.DEMO)
    documents = organization_documents(demo)
    concepts = glossary_concepts()
    systems = quality.systems(documents, concepts, boost=0.0)
    pooled_by = [
        "ranker as shipped",
        "without glossary",
        "Japanese as char bigrams",
        "plain word TF-IDF",
        "character-bigram TF-IDF",
        "BM25 (bm25s)",
    ]

    def pool(text: str) -> set[str]:
        return {doc for name in pooled_by for doc in systems[name](text)[:10]}

    rows = []
    for firm in firms:
        firm_groups = {c[:3] for c in firm["industries"]}
        texts = [("en", firm["seeks_en"])]
        if firm.get("seeks_ja"):
            texts.append(("ja", firm["seeks_ja"]))
        for lang, text in texts:
            judged = pool(text) | {d for d, t in theme.items() if t == firm["theme"]}
            judgments = {}
            for doc in sorted(judged):
                if theme[doc] == firm["theme"]:
                    judgments[doc] = 2 if kind[doc] == "support_body" else 3
                else:
                    judgments[doc] = 1 if groups[doc] & firm_groups else 0
            suffix = "" if lang == "en" else "-ja"
            rows.append(
                {
                    "id": f"firm-{firm['key']}{suffix}",
                    "text": text,
                    "lang": lang,
                    "cross_language": False,
                    "judgments": judgments,
                }
            )
    for target, text in CROSS_LANGUAGE.items():
        judged = pool(text) | {d for d, t in theme.items() if t == theme[target]}
        judgments = {}
        for doc in sorted(judged):
            if doc == target:
                judgments[doc] = 3
            elif theme[doc] == theme[target]:
                judgments[doc] = 1
            else:
                judgments[doc] = 1 if groups[doc] & groups[target] else 0
        rows.append(
            {
                "id": f"xlang-{target}",
                "text": text,
                "lang": "en",
                "cross_language": True,
                "judgments": judgments,
            }
        )
    with (HERE / "queries.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} queries written")


if __name__ == "__main__":
    main()
