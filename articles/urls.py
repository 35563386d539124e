from django.urls import path

from articles import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.FrontPageView.as_view(), name="front"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feeds/articles/", feeds.LatestArticlesFeed(), name="feed_rss"),
    path("feeds/articles/atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
]
