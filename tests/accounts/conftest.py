import pytest
from allauth.account.models import EmailAddress

from tests.factories import make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def verified_user(db):
    """A reader who signed up and followed the emailed link (allauth's own record)."""
    user = make_user("verified", display_name="Vera Fied")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


@pytest.fixture
def verified_client(client, verified_user):
    client.force_login(verified_user)
    return client


@pytest.fixture
def stranger(db):
    """Another reader whose data must never leak into the verified user's."""
    user = make_user("stranger", display_name="Stan Ranger")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def footprint(verified_user, stranger):
    """Everything a busy reader leaves behind, beside a stranger's activity.

    The verified user comments (with stars, a place and an attachment-free body) on one
    article, rates another, likes and flags the stranger's comment, follows a thread and
    has an API token. The stranger comments, votes and likes on the same articles.
    """
    from rest_framework.authtoken.models import Token

    from comments.models import ThreadSubscription
    from comments.services import comment_flag, comment_like
    from ratings.services import rating_set
    from tests.factories import make_article, make_comment

    commented = make_article(title="Harbour bridge reopens")
    rated = make_article(title="Council budget approved")
    stranger_comment = make_comment(commented, user=stranger, body="Stranger's secret opinion")
    mine = make_comment(
        commented,
        user=verified_user,
        body="Vera's take on the bridge",
        rating=4,
        location={"name": "Lisbon", "latitude": 38.7223, "longitude": -9.1393},
        ip_address="192.0.2.7",
        user_agent="VeraBrowser/1.0",
    )
    rating_set(article=rated, voter=f"u:{verified_user.pk}", stars=2, user=verified_user)
    rating_set(article=rated, voter=f"u:{stranger.pk}", stars=5, user=stranger)
    comment_like(comment=stranger_comment, voter=f"u:{verified_user.pk}")
    comment_like(comment=mine, voter=f"u:{stranger.pk}")
    comment_flag(
        comment=stranger_comment,
        voter=f"u:{verified_user.pk}",
        reason="off_topic",
        note="Vera thinks this strays",
        user=verified_user,
    )
    ThreadSubscription.objects.create(user=verified_user, article=commented)
    ThreadSubscription.objects.create(user=stranger, article=commented)
    Token.objects.create(user=verified_user)
    return {
        "commented": commented,
        "rated": rated,
        "mine": mine,
        "stranger_comment": stranger_comment,
    }
