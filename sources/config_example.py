"""The commented example configuration written by `veille config init` (it checks)."""

EXAMPLE = """\
# veille configuration. Durations: "30s", "5m", "2h", "1d".
# Secrets (tokens, passwords) never go in this file: put them in environment variables
# or in secrets.toml next to this file (chmod 600), and name them with *_env keys.

user = "camille"                       # who acts; default $USER

[[brands]]
name = "Lumio"
keywords = ["lumio", "lumio glow", { phrase = "lumio desk", fuzzy = false }]  # phrases; case
                                       # and accents ignored; fuzzy = false: exact only
handles = ["@lumio", "@lumio_fr"]
hashtags = ["#lumio"]
exclude = ["lumio street"]             # a mention matching these is not about the brand
competitors = ["Brightly"]

[[brands]]
name = "Brightly"
keywords = ["brightly"]
is_competitor = true                   # measured for share of voice only

[[sources]]
name = "alerts-lumio"
kind = "rss"                           # rss | mastodon | bluesky | hackernews | reddit
url = "https://www.google.com/alerts/feeds/00000000000000000000/0000000000000000000"
every = "5m"

[[sources]]
name = "mastodon-lumio"
kind = "mastodon"
instance = "https://mastodon.social"
hashtags = ["lumio"]
token_env = "VEILLE_MASTODON_TOKEN"    # optional for hashtag timelines
# query = "lumio"                      # full-text search too: needs token_env, and finds
                                       # only posts whose authors opted in to search
every = "2m"

[[sources]]
name = "hn-lumio"
kind = "hackernews"
query = "lumio"
every = "10m"

[[sources]]
name = "bsky-lumio"
kind = "bluesky"
query = "lumio"
handle = "camille.bsky.social"
token_env = "VEILLE_BSKY_APP_PASSWORD" # an app password, not your account password
every = "5m"

[[sources]]
name = "reddit-lumio"
kind = "reddit"
query = "lumio"
every = "15m"

[[teams]]
name = "service-client"
webhook = "https://chat.example/hooks/abc"
email = "sav@example.com"

[sla]                                  # first-response targets
urgent = "1h"
normal = "24h"
microblog = "2h"

[[templates]]
name = "ack"
text = "Bonjour {author}, merci pour votre message, nous regardons et revenons vers vous en message privé."

# [watch]                              # `veille watch`: alerts while you are away
# quiet_hours = "22:00-07:00"          # alerts held, then sent as one digest
# alert_webhook_env = "VEILLE_ALERT_HOOK"
# alert_email = "oncall@example.com"
# bell = true
# sla_warning = "15m"                  # alert this long before a first-response target
# spike_factor = 3.0

# [smtp]                               # e-mail for hand-offs and alerts
# host = "smtp.example.com"
# port = 587
# sender = "veille@example.com"
# username = "veille"
# password_env = "VEILLE_SMTP_PASSWORD"

# [[approval]]                         # replies that wait for a reviewer before sending
# name = "crisis"                      # (A approves, B sends back; filter is:awaiting)
# when = "tag:crisis"                  # a filter on the group, and/or
# authors = ["junior"]                 #   everything these users write
# reviewers = ["camille"]              # who may approve (default: anyone but the author)

# [keys]                               # rebind keys by action id (listed by `?`)
# "inbox.done" = "x"

# [views]                              # saved views: keys 1-9 in this order, 0 = all
# A view is a name and a filter, the language of the / key (and of `veille list`):
#   words (accents and case ignored), "exact phrase", -word (not), brand:Lumio,
#   platform:mastodon, status:new, tag:refund, author:@ana, is:urgent, is:unanswered,
#   is:mine, is:snoozed, is:claimed, is:handedoff, person:vip (a people list tag);
#   every term must match.
# Without [views], 1-4 are: urgent, unanswered, mine, waiting.
# angry = "tag:angry"
# mine = "is:mine"
# refunds = "brand:Lumio remboursement -tag:done"

# [[rules]]                            # applied in this order to each new post's group
# name = "refund-fr"                   # one word: the journal says "rule:refund-fr"
# when = "brand:Lumio remboursement"   # a filter (the / language, person:vip too)
# tag = ["refund"]                     # actions, any of: tag, assign, hand_off,
# assign = "camille"                   #   status, snooze, priority, alert
# hand_off = { team = "service-client", note = "demande de remboursement" }
# priority = 10                        # a bump, -50 to 50 (matched on the post alone)
# alert = true                         # `veille watch` tells the [watch] channels once
# A rule never replies: only a person writes and sends a reply.
# `veille rules test refund-fr` shows what it would have matched.

# [people]                             # `veille person`: VIPs, influencers, journalists…
# vip_bump = 15                        # a VIP's new post ranks this much higher (0-30)

# [store]                              # where the store lives and who may use it
# path = "~/veille-store"              # --store and $VEILLE_STORE come first
# mode = "group"                       # "private" (default): you only; "group": every
# group = "veille"                     #   member of this Unix group (see the README)
# hot_days = 30                        # the inbox holds these last days and every group
#                                      #   not closed; older closed ones are read on demand
"""
