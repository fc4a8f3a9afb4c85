"""Build queries.jsonl: the judged evaluation set (docs/ranker.md, "Evaluation set").

Run from the project root against a database holding the demo data:
    DEBUG=1 python manage.py shell -c "import runpy; runpy.run_path(
        'tests/matchmaking/eval/build_queries.py', run_name='__main__')"
The Japanese needs of issue 15 were appended to the existing file, judged rows untouched:
    DEBUG=1 python manage.py shell -c "import runpy; runpy.run_path(
        'tests/matchmaking/eval/build_queries.py')['add_japanese_needs']()"

Queries: every demo foreign firm's "seeks" text (English; Japanese too where the firm wrote
one) and hand-written English needs whose best answer is a Japanese-only profile. Pool: the
top 10 of six systems (the ranker, the ranker without glossary, the ranker with bigrams,
plain word TF-IDF, character bigrams, BM25). Grades, by the rubric in docs/ranker.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from matchmaking.benchmarks import quality
from matchmaking.search.documents import glossary_concepts, organization_documents
from profiles.models import Organization

HERE = Path(__file__).resolve().parent
FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"
POOLED_BY = [
    "ranker as shipped",
    "without glossary",
    "Japanese as char bigrams",
    "plain word TF-IDF",
    "character-bigram TF-IDF",
    "BM25 (bm25s)",
]

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

# Japanese needs written the way prefecture staff and Japanese-reading foreign firms
# (Taiwanese, Chinese, Korean) write them: one per demo theme, and four more that name a
# role (a distributor, a maker) as such needs often do. Written from the theme names before
# the ranker was tuned on them (issue 15); graded by the rubric in docs/ranker.md.
JAPANESE_NEEDS: list[tuple[str, str]] = [
    (
        "ev-motor-machining",
        "弊社は台湾の電動スクーター用モーターメーカーです。中空シャフトやローターの精密切削加工ができる日本の協力工場を探しています。",
    ),
    (
        "robot-gears-reducers",
        "协作ロボットの関節に使う減速機と精密歯車を供給できる日本メーカーを探しております。バックラッシの小さい製品を希望します。",
    ),
    (
        "dies-molds",
        "県内の自動車部品メーカーから、プレス金型の設計製作と金型メンテナンスを頼める企業を紹介してほしいとの相談がありました。",
    ),
    (
        "plastic-injection-molding",
        "当社は韓国の家電部品メーカーです。樹脂成形品（射出成形、二色成形）の量産を委託できる日本の成形工場を探しております。",
    ),
    (
        "surface-treatment-plating",
        "めっき加工や電解研磨などの表面処理を外注したいです。半導体装置部品向けの高い清浄度に対応できる会社を希望します。",
    ),
    (
        "casting-forging",
        "弊司は中国の風力発電機メーカーで、大型の鍛造品とリング圧延品、鋳鋼品の調達先を日本で探しています。",
    ),
    (
        "robotics-fa-si",
        "工場の自動化ラインを構築してくれるロボットシステムインテグレーターを探しています。点検ロボットの受託開発も相談したいです。",
    ),
    (
        "machine-vision-inspection",
        "外観検査装置に組み込むレンズとカメラ、照明を提供できる日本の光学メーカーと技術提携したいと考えています。",
    ),
    (
        "aerospace-machining",
        "当社は台湾の航空機部品サプライヤーです。チタン合金の切削加工と非破壊検査ができる日本の航空宇宙関連企業との協業を希望します。",
    ),
    (
        "shipbuilding-marine",
        "ばら積み船の新造や船舶の修繕を依頼できる造船所、舶用機器メーカーを紹介してください。韓国の海運会社からの照会です。",
    ),
    (
        "power-semiconductors-sic-gan",
        "電気自動車のインバーター向けにSiCパワー半導体のチップを安定供給してくれるメーカーを探しています。GaNデバイスの共同開発も関心があります。",
    ),
    (
        "semiconductor-equipment-parts",
        "台湾の半導体工場向けに、真空チャンバーなど製造装置部品の精密加工と溶接をお願いできる企業を探しています。",
    ),
    (
        "mems-sensors",
        "MEMSセンサーの試作から少量生産まで受託してくれるファウンドリーを探しています。加速度センサーや圧力センサーの開発経験がある会社が望ましいです。",
    ),
    (
        "lasers-optics-photonics",
        "光通信用の受光素子と半導体レーザーを調達したいです。フォトニクス分野の日本企業と取引を始めたいと思っております。",
    ),
    (
        "carbon-fiber-composites",
        "炭素繊維のプリプレグや複合材料の成形品を供給していただける会社を探しております。自転車フレーム用途です。",
    ),
    (
        "fine-ceramics-advanced-glass",
        "電子部品向けのファインセラミックス基板と特殊ガラスの加工ができるメーカーを紹介いただけますか。",
    ),
    (
        "titanium-magnesium-specialty-metals",
        "チタンやマグネシウム合金の素材と加工品を購入したいと考えています。医療機器や眼鏡フレーム用の特殊金属に強い企業を探しています。",
    ),
    (
        "battery-materials-recycling",
        "弊社は中国のリチウムイオン電池メーカーです。セパレータや正極材などの電池材料、使用済み電池のリサイクル技術を持つ日本企業と提携したいです。",
    ),
    (
        "hydrogen-fuel-cells-electrolysers",
        "水素の製造・供給と燃料電池、水電解装置に関わる県内企業を一覧にしてほしいと、海外の投資家から依頼がありました。",
    ),
    (
        "offshore-wind-components",
        "洋上風力発電所の建設と保守に参加できる日本の部品メーカーやメンテナンス会社を探しています。",
    ),
    (
        "medical-devices",
        "カテーテルなど医療機器の部品を受託製造できる会社を探しております。クリーンルームと滅菌バリデーションの実績が必要です。",
    ),
    (
        "regenerative-medicine",
        "細胞培養と再生医療等製品の受託製造（CDMO）をお願いできる施設を探しています。韓国のバイオベンチャーです。",
    ),
    (
        "pharma-drug-discovery",
        "医薬品の錠剤やカプセルの製剤化と治験薬の受託製造をしてくれる製薬会社を探しています。",
    ),
    (
        "care-robotics-assistive",
        "介護施設で使う移乗支援ロボットや福祉機器を台湾で販売したいです。日本の介護ロボットメーカーを紹介してください。",
    ),
    (
        "ai-computer-vision",
        "画像認識AIで製品の不良を検出するシステムを導入したいです。ディープラーニングの検査ソフトを開発している会社を探しています。",
    ),
    (
        "cybersecurity",
        "工場や中小企業のサイバーセキュリティ対策を支援してくれる会社を探しています。セキュリティ監視と社員向けの訓練も必要です。",
    ),
    (
        "games-animation-xr",
        "ゲームの共同開発と3DCGアニメーション制作を委託できるスタジオを探しています。VRコンテンツの経験があればなお良いです。",
    ),
    (
        "iot-embedded",
        "組込みソフトウェアとIoT機器のファームウェア開発を外注したいです。マイコンやリアルタイムOSに詳しい会社を希望します。",
    ),
    (
        "drones-unmanned",
        "ドローンによる送電線やインフラの点検サービス、無人航空機の機体開発を行う企業と協力したいと考えております。",
    ),
    (
        "space-technology",
        "小型人工衛星の部品やロケットエンジンの試験ができる宇宙関連企業を探しています。弊社は台湾の衛星開発スタートアップです。",
    ),
    (
        "sake-shochu-fermentation",
        "中国で日本酒と焼酎を輸入販売しています。新しく取引できる酒蔵、焼酎メーカーを紹介していただきたいです。",
    ),
    (
        "green-tea-export",
        "抹茶と煎茶を輸入したい台湾の飲料会社です。有機栽培の茶葉を供給できる製茶会社を探しています。",
    ),
    (
        "wagyu-meat-processing",
        "和牛肉を香港と台湾に輸出したいので、食肉加工とハラール対応ができる食肉処理施設を探しています。",
    ),
    (
        "seafood-aquaculture",
        "ブリやカンパチなど養殖魚の鮮魚と冷凍品を輸入したいです。水産物の加工と輸出ができる会社を探しております。",
    ),
    (
        "smart-agriculture-agritech",
        "スマート農業の技術、自動運転トラクターや農業用センサーを導入したい韓国の農業法人です。日本の農業機械メーカーと提携したいです。",
    ),
    (
        "halal-plant-based-foods",
        "ハラール認証の食品と植物性の代替肉をマレーシア向けに調達したいです。大豆たんぱくの加工食品メーカーを探しています。",
    ),
    (
        "inbound-tourism-onsen-ryokan",
        "台湾からの団体旅行客を受け入れてくれる温泉旅館と観光事業者を紹介してください。ハラール対応の食事も必要です。",
    ),
    (
        "traditional-crafts",
        "漆器や陶磁器など日本の伝統工芸品を仕入れたいです。職人が手作りしている工房と直接取引したいと考えています。",
    ),
    (
        "forestry-clt-timber",
        "CLTなどの木材建材を使った中高層建築を計画しています。国産材の製材と集成材を供給できる会社を探しています。",
    ),
    (
        "water-geothermal-biomass",
        "地熱発電とバイオマス発電の設備、水処理の技術を持つ日本企業と協力したいです。インドネシアでの案件です。",
    ),
    (
        "sake-shochu-fermentation",
        "県産の日本酒を海外に売り込みたい酒造会社と、麹や発酵の研究をしている機関をまとめて教えてください。",
    ),
    (
        "green-tea-export",
        "弊社は韓国の食品商社で、日本茶の卸売先ではなく製造元（茶工場）と直接契約したいと考えております。",
    ),
    (
        "semiconductor-equipment-parts",
        "半導体製造装置の販売代理店として、日本の装置部品メーカーと代理店契約を結びたいです。",
    ),
    (
        "medical-devices",
        "医療機器の輸入販売業者です。日本の医療機器メーカーの代理店として台湾市場で販売したいと思っています。",
    ),
]


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

    def pool(text: str) -> set[str]:
        return {doc for name in POOLED_BY for doc in systems[name](text)[:10]}

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
    rows.extend(japanese_need_rows(pool, theme, kind, groups))
    with (HERE / "queries.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} queries written")


def japanese_need_rows(
    pool: Callable[[str], set[str]],
    theme: dict[str, str],
    kind: dict[str, str],
    groups: dict[str, set[str]],
) -> list[dict[str, Any]]:
    """Grades: 3 = an organization of the need's theme, 2 = a support body of that theme,
    1 = another theme's organization sharing a JSIC group with the theme's, 0 = the rest."""
    rows = []
    for number, (need_theme, text) in enumerate(JAPANESE_NEEDS, 1):
        theme_groups = {g for d, t in theme.items() if t == need_theme for g in groups[d]}
        judged = pool(text) | {d for d, t in theme.items() if t == need_theme}
        judgments = {}
        for doc in sorted(judged):
            if theme[doc] == need_theme:
                judgments[doc] = 2 if kind[doc] == "support_body" else 3
            else:
                judgments[doc] = 1 if groups[doc] & theme_groups else 0
        rows.append(
            {
                "id": f"ja-need-{number:02d}",
                "text": text,
                "lang": "ja",
                "cross_language": False,
                "judgments": judgments,
            }
        )
    return rows


def add_japanese_needs() -> None:
    """Append the Japanese needs to queries.jsonl, leaving the judged rows already there
    as they are (pooled with the ranker of the day they were judged)."""
    organizations = json.loads((FIXTURES / "organizations.json").read_text("utf-8"))
    theme = {o["external_id"]: o["theme"] for o in organizations}
    kind = {o["external_id"]: o["kind"] for o in organizations}
    groups = {o["external_id"]: {c[:3] for c in o["industries"]} for o in organizations}
    demo = Organization.objects.filter(source=Organization.Source.DEMO)
    systems = quality.systems(organization_documents(demo), glossary_concepts(), boost=0.0)

    def pool(text: str) -> set[str]:
        return {doc for name in POOLED_BY for doc in systems[name](text)[:10]}

    path = HERE / "queries.jsonl"
    lines = path.read_text("utf-8").splitlines()
    known = {json.loads(line)["id"] for line in lines if line.strip()}
    new = [r for r in japanese_need_rows(pool, theme, kind, groups) if r["id"] not in known]
    with path.open("a", encoding="utf-8") as out:
        for row in new:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(new)} Japanese needs added")


if __name__ == "__main__":
    main()
