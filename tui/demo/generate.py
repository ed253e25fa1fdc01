"""Writes tui/demo/data/posts.json: the demo's sample posts (run once; the output is bundled).

Deterministic (fixed seed). Times are stored as minutes before "now" so that the demo
server can render real timestamps when it starts and SLA clocks mean something. The
brand Lumio (smart lamps and an app) and its competitors Brightly and Lumen & Co are
fictional; every author is invented.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

OUT = Path(__file__).parent / "data" / "posts.json"

FR_NAMES = ["camille_r", "julien.m", "sophie_b", "nico_lyon", "manon.d", "thomas_p", "lea.v",
            "hugo_b", "chloe.k", "maxime_t", "ines_a", "antoine.g", "sarah_l", "lucas_m"]  # fmt: skip
EN_NAMES = ["jen_codes", "mark_h", "priya.s", "oliver_w", "dana_k", "sam.r", "alex_t",
            "morgan_l", "kate_b", "raj_p", "emma_j", "tom_h", "nina_c", "ben_f"]  # fmt: skip

COMPLAINTS_FR = [
    "Ma lampe Lumio Glow ne se connecte plus au wifi depuis la mise à jour. Super...",
    "Commande Lumio passée il y a 3 semaines, toujours pas livrée. Le SAV ne répond pas.",
    "L'appli Lumio plante à chaque ouverture sur Android 15. Quelqu'un a une solution ?",
    "Deuxième ampoule Lumio grillée en un mois. Franchement déçu @lumio_fr",
    "Impossible de me faire rembourser mon Lumio Glow défectueux, ça fait 10 jours que j'attends",
]
COMPLAINTS_EN = [
    "My Lumio Glow keeps disconnecting from wifi after the latest firmware. Any fix?",
    "Lumio support has ignored my ticket for a week. Lamp arrived with a cracked base.",
    "The Lumio app logged me out and now my schedules are gone. Not impressed @lumio",
    "Ordered a Lumio Desk lamp, charged twice. Still waiting on a refund.",
    "Lumio app crashes on iOS 19 every time I open the scenes tab.",
]
QUESTIONS_FR = [
    "Est-ce que la Lumio Glow fonctionne avec Home Assistant ?",
    "Quelqu'un sait si Lumio livre en Belgique ?",
    "Lumio ou Brightly pour une chambre d'enfant ? Vos avis ?",
    "Comment on réinitialise une ampoule Lumio ? La notice ne dit rien.",
]
QUESTIONS_EN = [
    "Does the Lumio Glow support Matter yet?",
    "Anyone tried Lumio lamps with Google Home? Worth it?",
    "Lumio vs Brightly for a reading nook — which one has better warm light?",
    "How long is the Lumio warranty in the UK?",
]
PRAISE_FR = [
    "Franchement la Lumio Glow a changé mes soirées, lumière super douce. Merci @lumio_fr !",
    "Le SAV Lumio m'a renvoyé une lampe neuve en 48 h, chapeau.",
    "Nouvelle appli Lumio très réussie, les scènes sont enfin simples à régler.",
]
PRAISE_EN = [
    "Lumio Glow is the best lamp I've bought in years. That sunrise mode!",
    "Shoutout to Lumio support — replaced my lamp in two days, no questions asked.",
    "The new Lumio app update is slick. Scenes finally make sense.",
]
COMPETITOR = [
    ("Brightly", "Brightly just announced a cheaper smart bulb, undercutting Lumio by 20%."),
    ("Brightly", "Brightly Halo review: great colours, terrible app."),
    ("Brightly", "Nouvelle gamme Brightly en magasin, le design rappelle beaucoup Lumio."),
    ("Lumen & Co", "Lumen & Co recalls a batch of desk lamps over wiring issues."),
    ("Lumen & Co", "Lumen & Co ouvre une boutique à Lyon, ambiance cosy."),
]
CONTROVERSY = [
    "My Lumio Glow battery swelled and cracked the case. This is dangerous. #LumioGate",
    "Batterie gonflée sur ma Lumio Glow, le boîtier a éclaté ! #LumioGate",
    "Third report today of swollen Lumio Glow batteries. Is there a recall coming? #LumioGate",
    "Lumio, vous comptez communiquer sur les batteries qui gonflent ? #LumioGate",
    "Unplugged my Lumio Glow after reading about the battery swelling. Scary. #LumioGate",
]
INFLUENCER = (
    "lumiere_lea",
    "Léa Lumière",
    184000,
    "J'ai reçu une Lumio Glow avec la batterie gonflée. Je fais une vidéo demain sur la "
    "sécurité des lampes connectées. @lumio_fr vous avez une réponse ? #LumioGate",
)
NOISE = [
    "Balade rue Lumio Street à Montréal ce matin, joli quartier.",  # excluded by the config
]


def _post(rng, n, kind, text, lang, ago, platform=None, brand="Lumio", author=None, reach=None):
    names = FR_NAMES if lang == "fr" else EN_NAMES
    author = author or rng.choice(names)
    platform = platform or rng.choice(
        ["mastodon", "mastodon", "alerts", "forum", "hackernews", "reddit"]
    )
    return {
        "n": n,
        "platform": platform,
        "kind": kind,
        "brand": brand,
        "author": author,
        "display": author.replace("_", " ").replace(".", " ").title(),
        "reach": reach if reach is not None else rng.choice([40, 120, 300, 800, 2500]),
        "lang": lang,
        "text": text,
        "ago": ago,
        "reply_to": None,
    }


def generate(seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    posts: list[dict] = []

    def add(**kw):
        posts.append(_post(rng, len(posts) + 1, **kw))
        return posts[-1]

    pools = [
        ("complaint", "fr", COMPLAINTS_FR), ("complaint", "en", COMPLAINTS_EN),
        ("question", "fr", QUESTIONS_FR), ("question", "en", QUESTIONS_EN),
        ("praise", "fr", PRAISE_FR), ("praise", "en", PRAISE_EN),
    ]  # fmt: skip
    for _round in range(13):
        for kind, lang, pool in pools:
            for text in rng.sample(pool, k=min(len(pool), 2)):
                ago = rng.randint(5, 60 * 30)
                post = add(kind=kind, text=text, lang=lang, ago=ago)
                if rng.random() < 0.35:  # a copy: a repost with small edits, elsewhere
                    edited = text.replace("!", "").replace("...", ".") + rng.choice(
                        ["", " 😤", " 🙏", " !!"]
                    )
                    add(kind=kind, text=edited, lang=lang, ago=max(1, ago - rng.randint(1, 90)))
                if (
                    kind in ("complaint", "question")
                    and post["platform"] == "mastodon"
                    and rng.random() < 0.5
                ):
                    reply = add(kind="reply", text=rng.choice(["Same here.", "Pareil chez moi.",
                                "Did you try resetting it?", "Contacte le SAV par DM."]),
                                lang=lang, ago=max(1, post["ago"] - 20), platform="mastodon")  # fmt: skip
                    reply["reply_to"] = post["n"]
    for brand, text in COMPETITOR * 4:
        add(kind="competitor", text=text, lang="fr" if " la " in text or "Nouvelle" in text else "en",
            ago=rng.randint(10, 60 * 40), brand=brand)  # fmt: skip
    # The brewing controversy: more and more posts in the last three hours.
    for i in range(40):
        ago = int(180 * (1 - (i / 40) ** 0.5)) + 1
        text = CONTROVERSY[i % len(CONTROVERSY)]
        add(kind="controversy", text=text, lang="fr" if "Batterie" in text or "vous" in text else "en",
            ago=ago, platform=rng.choice(["mastodon", "mastodon", "reddit", "hackernews"]))  # fmt: skip
    handle, display, reach, text = INFLUENCER
    influencer = add(kind="influencer", text=text, lang="fr", ago=25, platform="mastodon",
                     author=handle, reach=reach)  # fmt: skip
    influencer["display"] = display
    for text in NOISE:
        add(kind="noise", text=text, lang="fr", ago=300, platform="alerts")
    return posts


if __name__ == "__main__":
    OUT.parent.mkdir(parents=True, exist_ok=True)
    data = generate()
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(data)} posts -> {OUT}")
