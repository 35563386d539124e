import pytest
from django.core.exceptions import ValidationError

from articles.models import Article
from comments import posting, services, tokens
from comments.models import Comment
from tests.factories import make_article, make_comment, make_user

pytestmark = pytest.mark.django_db


def _guest_post(article, email="ana@example.com", **kwargs):
    return posting.comment_create(
        article=article, body="Hello", guest_name="Ana", guest_email=email, **kwargs
    ).comment


def test_first_time_guest_is_held(settings):
    settings.COMMENTS_MODERATION = "first_time_guests"
    assert _guest_post(make_article()).status == Comment.Status.PENDING


def test_guest_proving_an_approved_comment_is_published(settings):
    settings.COMMENTS_MODERATION = "first_time_guests"
    article = make_article()
    earlier = make_comment(article, guest_email="ana@example.com")
    proof = posting.Poster(trust_claims=((earlier.pk, tokens.email_digest("ana@example.com")),))
    later = _guest_post(article, email="ANA@example.com", poster=proof)
    assert later.status == Comment.Status.APPROVED


def test_guest_with_an_approved_email_but_no_proof_is_held(settings):
    settings.COMMENTS_MODERATION = "first_time_guests"
    article = make_article()
    make_comment(article, guest_email="ana@example.com")
    assert _guest_post(article, email="ANA@example.com").status == Comment.Status.PENDING


def test_policy_guests_holds_every_guest(settings):
    settings.COMMENTS_MODERATION = "guests"
    article = make_article()
    make_comment(article, guest_email="ana@example.com")
    assert _guest_post(article).status == Comment.Status.PENDING


def test_policy_all_holds_registered_users_too(settings):
    settings.COMMENTS_MODERATION = "all"
    created = posting.comment_create(article=make_article(), body="Hi", user=make_user())
    assert created.comment.status == Comment.Status.PENDING


def test_policy_none_publishes_guests(settings):
    settings.COMMENTS_MODERATION = "none"
    assert _guest_post(make_article()).status == Comment.Status.APPROVED


def test_moderators_are_never_held(settings, moderator):
    settings.COMMENTS_MODERATION = "all"
    created = posting.comment_create(article=make_article(), body="Hi", user=moderator)
    assert created.comment.status == Comment.Status.APPROVED


def test_guest_email_is_stored_lowercase():
    assert _guest_post(make_article(), email="Ana@Example.COM").guest_email == "ana@example.com"


def test_approved_comment_counts_on_the_article():
    article = make_article()
    make_comment(article)
    make_comment(article, status=Comment.Status.PENDING)
    article.refresh_from_db()
    assert article.comment_count == 1


def test_approving_and_deleting_keep_the_count(settings):
    article = make_article()
    comment = make_comment(article, status=Comment.Status.PENDING)
    services.comment_approve(comment=comment)
    services.comment_approve(comment=comment)
    assert Article.objects.get(pk=article.pk).comment_count == 1
    services.comment_delete(comment=comment)
    assert Article.objects.get(pk=article.pk).comment_count == 0


def test_replies_keep_threads_together_in_path_order():
    article = make_article()
    first = make_comment(article)
    second = make_comment(article)
    reply = make_comment(article, parent=first)
    ordered = list(Comment.objects.filter(article=article).order_by("path"))
    assert ordered == [first, reply, second]
    assert reply.depth == 1 and reply.parent == first


def test_replies_beyond_the_cap_attach_to_the_deepest_level(settings):
    settings.COMMENTS_MAX_DEPTH = 2
    article = make_article()
    top = make_comment(article)
    child = make_comment(article, parent=top)
    grandchild = make_comment(article, parent=child)
    assert grandchild.depth == 1
    assert grandchild.parent == top
    assert grandchild.reply_to == child


def test_parent_must_be_on_the_same_article():
    other = make_comment(make_article())
    with pytest.raises(ValidationError) as error:
        _guest_post(make_article(), parent=other)
    assert "parent" in error.value.message_dict
    assert Comment.objects.count() == 1


def test_closed_article_refuses_comments():
    with pytest.raises(posting.CommentsClosed):
        _guest_post(make_article(comments_open=False))
    assert Comment.objects.count() == 0


def test_draft_article_refuses_comments():
    with pytest.raises(posting.CommentsClosed):
        _guest_post(make_article(status=Article.Status.DRAFT))


def test_whitespace_body_is_refused():
    with pytest.raises(ValidationError):
        posting.comment_create(
            article=make_article(), body="  \n ", guest_name="A", guest_email="a@example.com"
        )


def test_markdown_is_rendered_safely():
    comment = make_comment(body="**bold** <script>x</script> [l](http://e.org)")
    assert "<strong>bold</strong>" in comment.body_html
    assert "<script>" not in comment.body_html
    assert 'rel="nofollow ugc noopener"' in comment.body_html


def test_guest_edit_token_is_stored_hashed():
    comment = make_comment()
    assert comment.edit_token
    assert comment.edit_token not in comment.edit_token_hash
    assert comment.token_matches(comment.edit_token)
    assert not comment.token_matches("wrong")


def test_like_counts_once_per_voter():
    comment = make_comment()
    services.comment_like(comment=comment, voter="g:abc")
    count, liked = services.comment_like(comment=comment, voter="g:abc")
    assert (count, liked) == (1, True)
    assert services.comment_unlike(comment=comment, voter="g:abc") == (0, False)


def test_flag_is_new_once_per_voter():
    comment = make_comment()
    _, first = services.comment_flag(comment=comment, voter="g:x", reason="spam")
    _, again = services.comment_flag(comment=comment, voter="g:x", reason="abuse")
    comment.refresh_from_db()
    assert (first, again, comment.flag_count) == (True, False, 1)
