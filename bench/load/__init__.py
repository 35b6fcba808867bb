"""Load test: gunicorn on loopback under simulated staff (``python -m bench.load.run``).

The demo accounts the simulated staff sign in with live here, so that
``run.py`` can check them without importing Locust (which patches the
standard library for gevent on import).
"""

import base64

#: The password of every demo account (tsunagu/demo/ward.py), published in the README.
PASSWORD = "tsunagu-demo-2025"  # noqa: S105
#: The demo authenticator's key (tsunagu/demo/ward.py DEMO_TOTP_KEY, published
#: in the README): 多機関協働事務局 signs in with a code in the demo.
DEMO_KEY = base64.b32decode("ORZXK3TBM52S2ZDFNVXS2MTGMEWWWZLZ")

#: Counselors at the windows: the two of the README's table and the one per
#: window that ``load_demo`` lists (各窓口の相談員).
COUNSELORS = [
    "demo-soudan",
    "demo-csw",
    "demo-jiritsu-1",
    "demo-jiritsu-2",
    "demo-seikatsu",
    "demo-anshin-tomisaka",
    "demo-anshin-otsuka",
    "demo-anshin-honfuji",
    "demo-anshin-komagome",
    "demo-shakyo",
    "demo-csw-2",
    "demo-csw-3",
    "demo-kodomo",
    "demo-kosodate",
    "demo-hoken",
    "demo-koreifukushi",
    "demo-shogaifukushi",
    "demo-shogai-center",
    "demo-kyoiku",
]
#: 多機関協働事務局 and an organization's manager.
COORDINATORS = ["demo-jimukyoku"]
MANAGERS = ["demo-kikan"]
ACCOUNTS = COUNSELORS + COORDINATORS + MANAGERS
