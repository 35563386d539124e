"""The comments API: thin DRF views that parse input with a serializer, call
``comments.services`` and render the public representation of a comment.

One module per resource (the URLs are in ``comments/api_urls.py``):

- ``threads``: an article's comments, the public list and posting one (``CommentList``).
- ``detail``: one comment, read, changed or deleted (``CommentDetail``).
- ``reactions``: likes and flags (``CommentLikeView``, ``CommentFlagView``).
- ``attachments``: a comment's files (``CommentAttachmentUpload``, ``AttachmentDetail``)
  and the checks every upload goes through (``prepare_uploads``).
- ``moderation``: the moderators' queue (``ModerationCommentList``, ``IsModerator``).
- ``geocoding``: the nearest place to a point, for "Share Your Location"
  (``ReverseGeocodeView``).

And what they share:

- ``serializers``: a comment as served (``CommentSerializer`` and its detail,
  created and moderation variants, ``public_comments_data``) and the shared input
  fields (``StrictCharField``, ``CommentBodyField``, ``LocationInputField``).
- ``errors``: the one mapping from a service's refusals to HTTP answers
  (``service_errors``).
- ``common``: the edit-token header's schema and the acting user of a request.
"""
