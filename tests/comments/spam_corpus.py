"""A synthetic labelled corpus for the learned spam filter, generated from a fixed seed
(never downloaded): readers' comments on news stories, and the spam moderators see
(pharmacy, crypto, casino, loans, SEO links, work from home). Some readers mention
money, bitcoin or links, some spam is written like a comment, and a few decisions go
against the text (moderators reject rude comments; some spam slips through), so the
task is not trivially separable."""

import random

_TOPICS = [
    "the council budget",
    "the new tram line",
    "the school closures",
    "the election",
    "the heatwave",
    "the hospital waiting lists",
    "the flood defences",
    "the match",
    "the housing plan",
    "interest rates",
    "the bridge repairs",
    "the strike",
    "bitcoin's price",
    "the energy bills",
    "the minister's resignation",
    "the museum",
]
_HAM = [
    "I think {t} deserves more scrutiny than this article gives it.",
    "Good reporting on {t}; I'd like to know what the opposition says.",
    "My family has lived here for thirty years and {t} is the worst I've seen.",
    "Does anyone know when the consultation on {t} closes?",
    "The figures in the third paragraph about {t} don't add up to me.",
    "Thanks for covering {t}. The local paper ignored it completely.",
    "Honestly {t} was handled badly from the start, but the staff did their best.",
    "Could you publish the full report on {t}? A link to the source would help.",
    "I disagree with the previous commenter: {t} affects renters far more.",
    "We went to the meeting about {t} last night and it was packed.",
    "Interesting piece. The comparison with last year on {t} is useful.",
    "As a nurse I can say {t} is exactly what we've been warning about.",
    "The photo caption is wrong, that's not the high street.",
    "Who is paying for {t}? The article never says.",
    "Lost money on {t} myself, the article is spot on about the risks.",
    "The source is on the council website: https://council.example.gov/report",
]
_SPAM = [
    "Buy cheap {p} online without prescription, fast delivery: {u}",
    "{p} 80% off today only!!! Order now at {u}",
    "Earn $500 a day working from home, my neighbour did it: {u}",
    "Double your bitcoin in 24 hours, guaranteed returns, join {u}",
    "Best crypto signals group, 10x profit, message me on telegram {u}",
    "Online casino bonus 200 free spins no deposit {u}",
    "Need a loan? Instant approval, bad credit ok, apply {u}",
    "Great article! Check my site for cheap {p} {u}",
    "I made $9000 last month with this simple trick {u}",
    "SEO backlinks cheap, rank first on google, visit {u}",
    "Hot singles in your area waiting for you {u}",
    "Nice post. I also write about {t} at {u} please visit",
    "Invest in the new token before it moons, presale at {u}",
    "Replica watches and designer bags wholesale {u}",
]
_PILLS = ["viagra", "cialis", "tramadol", "xanax", "weight loss pills", "cbd oil", "ozempic"]
_SITES = [
    "http://cheap-meds.example",
    "www.crypto-x.example",
    "https://bonus-casino.example/spins",
    "http://seo-links.example/buy",
    "https://loans-now.example",
    "www.earn-fast.example",
]
_RUDE = [
    "You people are idiots and so is whoever wrote this.",
    "Shut up, nobody cares about {t}, clowns.",
]


def spam_corpus(size: int = 300, *, seed: int = 23, spam_share: float = 0.4):
    """``size`` (text, is_spam) pairs, the same for the same seed."""
    rng = random.Random(seed)
    corpus = []
    for _ in range(size):
        is_spam = rng.random() < spam_share
        if is_spam:
            text = rng.choice(_SPAM).format(
                p=rng.choice(_PILLS), u=rng.choice(_SITES), t=rng.choice(_TOPICS)
            )
        else:
            text = rng.choice(_HAM).format(t=rng.choice(_TOPICS))
            if rng.random() < 0.4:
                text += " " + rng.choice(_HAM).format(t=rng.choice(_TOPICS))
        if not is_spam and rng.random() < 0.04:
            text, is_spam = rng.choice(_RUDE).format(t=rng.choice(_TOPICS)), True
        elif rng.random() < 0.02:
            is_spam = not is_spam  # a decision that goes against the text
        corpus.append((text, is_spam))
    return corpus
