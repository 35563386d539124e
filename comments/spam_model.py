"""The learned spam filter: a text classifier trained on this site's own moderators'
decisions, run on this machine. No comment text is ever sent anywhere.

- Examples: every comment a moderator approved, rejected or marked spam (the audit
  log's APPROVE / REJECT / SPAM rows), labelled by the comment's status now: approved is
  not spam, rejected or spam is. A held comment a moderator approves is therefore an
  example the other way, and so is a spam decision undone.
- Model: scikit-learn's ``HashingVectorizer`` (no vocabulary to keep: words are hashed
  into a fixed table) and a logistic-loss ``SGDClassifier``. Its weights per hashed word
  explain a score: the words of the comment that pushed it most towards spam.
- Off until ``COMMENTS_SPAM_MODEL_MIN_EXAMPLES`` decisions exist (no model is trained);
  ``comments.tasks.spam_model_retrain`` trains again once
  ``COMMENTS_SPAM_MODEL_RETRAIN_AFTER`` new decisions exist.

scikit-learn is imported only where a model is trained or used, not when the site
starts.
"""

import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, Max, OuterRef

from articles.held import HeldBriefly
from comments.models import Comment, ModerationLog, SpamModel

logger = logging.getLogger(__name__)

# A moderator's decision on a comment (the rules' own rows are HELD).
DECISIONS = (
    ModerationLog.Action.APPROVE,
    ModerationLog.Action.REJECT,
    ModerationLog.Action.SPAM,
)
_SPAM = (Comment.Status.REJECTED, Comment.Status.SPAM)
# The hashed feature table: large enough that words rarely share a slot.
_FEATURES = 2**18
# The newest version's number, shared by every process: a process that has loaded
# that version keeps it in memory (``_loaded``) and reads the table only after a retrain.
_CACHE_KEY = "comments:spam_model:version"
_loaded: dict = {}
# Each process asks the shared cache for that number at most every few seconds: a
# retrain elsewhere is used from then on.
_version = HeldBriefly(5.0)


@dataclass(frozen=True)
class Evaluation:
    """How a model did on the held-out fifth of the decisions (spam is the positive
    class): of what it called spam, how much was (precision); of the spam, how much it
    caught (recall); and their harmonic mean (F1)."""

    examples: int
    spam_examples: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Score:
    """A comment's learned spam score (0..1) and the words that weighed most towards
    spam, heaviest first."""

    score: float
    words: tuple[str, ...]

    @property
    def reason(self) -> str:
        """The reason code stored on a held comment: ``learned_spam:0.93:word word``
        (``comments.moderation.describe`` reads it as "Looks like spam (0.93)")."""
        return f"learned_spam:{self.score:.2f}:{' '.join(self.words)}"[:200]


def _vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(n_features=_FEATURES, alternate_sign=False, lowercase=True)


def _classifier():
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(
        loss="log_loss", alpha=1e-5, max_iter=50, tol=1e-4, random_state=0, class_weight="balanced"
    )


def decided_comments():
    """The comments a moderator decided and whose status still says how: approved,
    rejected or spam."""
    decided = ModerationLog.objects.filter(comment=OuterRef("pk"), action__in=DECISIONS)
    statuses = [Comment.Status.APPROVED, *_SPAM]
    return Comment.objects.filter(Exists(decided), status__in=statuses)


def _examples() -> tuple[list[str], list[int]]:
    rows = decided_comments().order_by("pk").values_list("body", "status")
    texts = [body for body, _ in rows]
    labels = [int(status in _SPAM) for _, status in rows]
    return texts, labels


def _last_decision_id() -> int:
    return ModerationLog.objects.filter(action__in=DECISIONS).aggregate(m=Max("id"))["m"] or 0


def _evaluate(texts: list[str], labels: list[int]) -> Evaluation:
    """Fit on four fifths (chosen with a fixed seed, in the same spam share) and measure
    on the fifth left out."""
    from sklearn.metrics import precision_recall_fscore_support
    from sklearn.model_selection import train_test_split

    vectorizer = _vectorizer()
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=0.2, random_state=0, stratify=labels
    )
    model = _classifier().fit(vectorizer.transform(train_x), train_y)
    predicted = model.predict(vectorizer.transform(test_x))
    precision, recall, f1, _ = precision_recall_fscore_support(
        test_y, predicted, average="binary", zero_division=0
    )
    return Evaluation(len(texts), sum(labels), float(precision), float(recall), float(f1))


def _enough(labels: list[int]) -> bool:
    # Both kinds, and enough of each for a stratified fifth.
    spam = sum(labels)
    enough = len(labels) >= settings.COMMENTS_SPAM_MODEL_MIN_EXAMPLES
    return enough and min(spam, len(labels) - spam) >= 5


def spam_model_evaluate() -> Evaluation | None:
    """Precision, recall and F1 on a held-out fifth of the decisions there are now
    (nothing is stored); None below ``COMMENTS_SPAM_MODEL_MIN_EXAMPLES``."""
    texts, labels = _examples()
    return _evaluate(texts, labels) if _enough(labels) else None


@transaction.atomic
def spam_model_train() -> SpamModel | None:
    """Train a new version on every decision there is and store it with its figures
    (measured on a held-out fifth; the stored model then learns from all of them).
    None, and nothing stored, below ``COMMENTS_SPAM_MODEL_MIN_EXAMPLES`` decisions."""
    import joblib

    last_log_id = _last_decision_id()
    texts, labels = _examples()
    if not _enough(labels):
        return None
    evaluation = _evaluate(texts, labels)
    model = _classifier().fit(_vectorizer().transform(texts), labels)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    # The newest row, locked (PostgreSQL refuses FOR UPDATE with an aggregate): two
    # trainings at once number their versions one after the other; two first ones meet
    # on the unique version, and the second fails (the first one's model stands).
    newest = (
        SpamModel.objects.select_for_update()
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    ) or 0
    row = SpamModel.objects.create(
        version=newest + 1,
        examples=evaluation.examples,
        spam_examples=evaluation.spam_examples,
        last_log_id=last_log_id,
        precision=evaluation.precision,
        recall=evaluation.recall,
        f1=evaluation.f1,
        classifier=buffer.getvalue(),
    )
    transaction.on_commit(lambda: _version_set(row.version))
    logger.info("spam model v%s trained on %s decisions", row.version, row.examples)
    return row


def spam_model_due() -> bool:
    """Whether a (new) model should be trained: none yet and enough decisions, or
    ``COMMENTS_SPAM_MODEL_RETRAIN_AFTER`` decisions since the newest one."""
    current = SpamModel.objects.only("last_log_id").first()
    if current is None:
        return decided_comments().count() >= settings.COMMENTS_SPAM_MODEL_MIN_EXAMPLES
    new = ModerationLog.objects.filter(action__in=DECISIONS, id__gt=current.last_log_id)
    return new.count() >= settings.COMMENTS_SPAM_MODEL_RETRAIN_AFTER


def _current():
    """The newest model's classifier, or None when there is none: a cache read while
    this process holds the newest version, one query after a retrain (or a cache
    miss), and the unpickling once per version per process."""
    import joblib

    version = _version.get(_read_version)
    if not version:
        return None
    if _loaded.get("version") != version:
        row = SpamModel.objects.filter(version=version).only("classifier").first()
        if row is None:
            cache.delete(_CACHE_KEY)
            _version.forget()
            return None
        _loaded.clear()
        _loaded.update(version=version, model=joblib.load(io.BytesIO(bytes(row.classifier))))
    return _loaded["model"]


def _read_version() -> int:
    version = cache.get(_CACHE_KEY)
    if version is None:
        version = SpamModel.objects.aggregate(v=Max("version"))["v"] or 0
        cache.set(_CACHE_KEY, version, None)
    return version


def _version_set(version: int) -> None:
    cache.set(_CACHE_KEY, version, None)
    _version.forget()


def spam_score(*, body: str, words: int = 3) -> Score | None:
    """The learned spam score of ``body`` and the ``words`` of it that weighed most
    towards spam; None while there is no model. Runs here: the text goes nowhere."""
    model = _current()
    if model is None:
        return None
    vectorizer = _vectorizer()
    row = vectorizer.transform([body])
    score = float(model.predict_proba(row)[0][1])
    tokens = sorted(set(vectorizer.build_analyzer()(body)))
    if not tokens:
        return Score(score, ())
    # Each word's own slot (one row per word), and its weight in this comment.
    slots = vectorizer.transform(tokens).indices
    weights = model.coef_[0]
    pull = [(row[0, s] * weights[s], token) for token, s in zip(tokens, slots, strict=True)]
    heaviest = sorted((p for p in pull if p[0] > 0), reverse=True)[:words]
    return Score(score, tuple(token for _, token in heaviest))
