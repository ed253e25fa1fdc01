"""Words that say nothing about which story a post tells (French and English, folded).

Grouping counts a text's *informative* words - its distinct words minus these - to tell
a story from a conversational reply: "thank you so much for your help!" has none, so it
can only be an exact copy of another post, never a "subset" of a long complaint that
also says thank you. Function words, greetings, thanks and fillers; folded (no accents)
because they are compared with normal forms (`triage.normalize`).
"""

from __future__ import annotations

_EN = """
a about above after again against all also am an and any are aren as at be because been
before being below between both but by can cannot could couldn did didn do does doesn doing
don down during each few for from further get got had hadn has hasn have haven having he
her here hers herself him himself his how i if in into is isn it its itself just let me
more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was wasn we were weren
what when where which while who whom why will with won would wouldn you your yours
yourself yourselves im ive id ill youre youve its thats dont cant wont isnt didnt doesnt
u ur ya yall y all pls plz please thanks thank thx ty hi hey hello ok okay yes yeah yep
yup no nope sure cheers lol great good much many well oh ah guys guy one will
"""

_FR = """
a au aux avec ce ces cette c ca dans de des du elle elles en et eux il ils je j la le les
leur leurs lui ma mais me meme mes moi mon ne n nos notre nous on ou par pas pour qu que
qui sa se s ses son sur ta te tes toi ton tu t un une vos votre vous y l d m est sont suis
es etes sommes ete etre avoir ai as avons avez ont fait faire plus tres bien merci bonjour
bonsoir salut oui non ok svp stp si tout tous toute toutes aussi alors donc comme deja
encore ici la voila
"""

STOPWORDS: frozenset[str] = frozenset(_EN.split()) | frozenset(_FR.split())
