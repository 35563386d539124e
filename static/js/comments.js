/*
 * The comment section, enhanced. Every control here is an ordinary link or form that
 * works without this file; when it runs, posting, replying, likes and "Load more"
 * happen in place through the JSON API (/api/v1/) instead of a page load.
 * If the API cannot be reached, the form falls back to its normal submit.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-comments]");
  if (!root || !window.fetch) return;

  // The page's language (static/js/times.js: Django's JavaScriptCatalog, else English).
  var i18n = window.newsiteI18n;
  var gettext = i18n.gettext;
  var pgettext = i18n.pgettext;
  var ngettext = i18n.ngettext;
  var interpolate = i18n.interpolate;
  var formatNumber = i18n.formatNumber;
  var pageLanguage = i18n.language;

  var apiUrl = root.getAttribute("data-api-url");
  var apiRoot = root.getAttribute("data-api-root");
  var signedIn = root.getAttribute("data-signed-in") === "1";
  var form = root.querySelector("[data-comment-form]");
  var home = root.querySelector("[data-form-home]");
  var away = root.querySelector("[data-form-away]");
  var template = document.getElementById("comment-template");

  function csrfToken(scope) {
    var input = (scope || root).querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function request(method, url, body, scope, extraHeaders) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(scope) },
    };
    Object.keys(extraHeaders || {}).forEach(function (name) {
      options.headers[name] = extraHeaders[name];
    });
    if (window.FormData && body instanceof window.FormData) {
      // The browser writes the multipart Content-Type, with its boundary.
      options.body = body;
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (data) {
          return { status: response.status, data: data };
        });
    });
  }

  // --- Form messages -------------------------------------------------------------------
  // The API names a bad location "location"; the form shows it on the place name.
  var FIELD_ALIASES = { location: "location_name" };

  // The element that carries aria-invalid for a field: the input, or the first radio
  // of a group (the stars).
  function fieldInput(name) {
    // The files' errors belong to the "Add file" button (the plain inputs are hidden).
    if (name === "attachments" && files.control) return files.control;
    var input = form.elements[name];
    if (input && !input.setAttribute && input.length) input = input[0];
    return input && input.setAttribute ? input : null;
  }

  function setStatus(text) {
    var status = form.querySelector("[data-form-status]");
    if (status) status.textContent = text;
  }

  function clearErrors() {
    var box = form.querySelector("[data-form-errors]");
    box.hidden = true;
    box.textContent = "";
    form.querySelectorAll("[data-error-for]").forEach(function (slot) {
      slot.hidden = true;
      slot.textContent = "";
      var input = fieldInput(slot.getAttribute("data-error-for"));
      if (input) {
        input.removeAttribute("aria-invalid");
        var ids = (input.getAttribute("aria-describedby") || "")
          .split(" ")
          .filter(function (id) {
            return id && id !== slot.id;
          });
        if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
        else input.removeAttribute("aria-describedby");
      }
    });
  }

  function errorLine(message) {
    var p = document.createElement("p");
    var prefix = document.createElement("span");
    prefix.className = "field__error-prefix";
    prefix.textContent = gettext("Error:");
    p.appendChild(prefix);
    p.appendChild(document.createTextNode(" " + message));
    return p;
  }

  function showFormError(messages) {
    var box = form.querySelector("[data-form-errors]");
    messages.forEach(function (message) {
      box.appendChild(errorLine(message));
    });
    box.hidden = false;
  }

  function showFieldErrors(errors) {
    var general = [];
    var first = null;
    Object.keys(errors).forEach(function (key) {
      var messages = [].concat(errors[key]).map(String);
      var name = FIELD_ALIASES[key] || key;
      var slot = form.querySelector('[data-error-for="' + name + '"]');
      var input = fieldInput(name);
      if (!slot || !input) {
        general = general.concat(messages);
        return;
      }
      messages.forEach(function (message) {
        slot.appendChild(errorLine(message));
      });
      slot.hidden = false;
      input.setAttribute("aria-invalid", "true");
      var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      ids.push(slot.id);
      input.setAttribute("aria-describedby", ids.join(" "));
      first = first || input;
    });
    showFormError(
      [gettext("Your comment was not posted. Please check the fields marked below.")].concat(general)
    );
    if (first) first.focus();
  }

  // --- Confirmations next to what was clicked -----------------------------------------
  // A role="status" box put where the reader acted (the reply's place, the comment they
  // flagged), which takes the focus so that neither the page nor the reader's place
  // jumps away. It goes in empty and is filled a moment later: screen readers announce
  // a change to a live region they know, not one that arrives with its text.
  function showNotice(parent, before, messages) {
    parent.querySelectorAll(":scope > [data-notice]").forEach(function (old) {
      old.remove();
    });
    var box = document.createElement("div");
    box.className = "messages comment__notice";
    box.setAttribute("role", "status");
    box.setAttribute("tabindex", "-1");
    box.setAttribute("data-notice", "");
    parent.insertBefore(box, before || null);
    window.setTimeout(function () {
      messages.forEach(function (message) {
        var p = document.createElement("p");
        p.className = "message message--" + (message.level || "success");
        p.textContent = message.text;
        box.appendChild(p);
      });
      box.focus({ preventScroll: true });
      // Into view with some of what it is about, if the page moved (the form went home).
      var rect = box.getBoundingClientRect();
      if (rect.top < 64 || rect.bottom > window.innerHeight) box.scrollIntoView({ block: "center" });
    }, 50);
    return box;
  }

  // --- Building a comment ----------------------------------------------------------------
  function relink(node, id) {
    node.querySelectorAll("[href], [action], [data-like-url], [data-reply-to]").forEach(function (el) {
      ["href", "action", "data-like-url"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) {
          el.setAttribute(
            attr,
            value
              .replace("/0/", "/" + id + "/")
              .replace("replyto=0", "replyto=" + id)
              .replace("#reply-0", "#reply-" + id)
              .replace("#c0", "#c" + id)
          );
        }
      });
      if (el.hasAttribute("data-reply-to")) el.setAttribute("data-reply-to", String(id));
    });
  }

  // `fromOthers`: a comment that arrived by live updates, not the reader's own post.
  function buildComment(data, fromOthers) {
    var item = template.content.firstElementChild.cloneNode(true);
    var article = item.querySelector("article");
    article.id = "c" + data.id;
    article.setAttribute("data-comment-id", String(data.id));
    relink(item, data.id);
    var name = (data.author && data.author.name) || "";
    item.querySelector('[data-slot="author"]').textContent = name;
    item.querySelector('[data-slot="initial"]').textContent = name.charAt(0).toUpperCase();
    if (data.author && !data.author.is_guest) {
      var badge = item.querySelector('[data-slot="guest"]');
      if (badge) badge.remove();
    }
    addBadges(item, data);
    var time = item.querySelector('[data-slot="time"]');
    time.setAttribute("datetime", data.created_at);
    time.setAttribute("title", new Date(data.created_at).toLocaleString(pageLanguage));
    time.textContent = window.newsiteTimes ? window.newsiteTimes.ago(new Date(data.created_at)) : "";
    // body_html is rendered and sanitised by the server (Markdown safe subset + nh3).
    item.querySelector('[data-slot="body"]').innerHTML = data.body_html;
    item.querySelector('[data-slot="like-count"]').textContent = String(data.like_count || 0);
    fillRatingAndPlace(item, data);
    fillAttachments(item, data.attachments || []);
    // The author may edit: a guest holds the edit token (also set as a cookie),
    // a signed-in reader is the author.
    if (fromOthers || !(data.edit_token || signedIn)) {
      item.querySelectorAll('[data-slot="edit"], [data-slot="delete"]').forEach(function (el) {
        el.remove();
      });
    }
    return item;
  }

  // Staff / Author and "Newsroom pick", as comments/_comment.html draws them.
  var BADGES = { staff: gettext("Staff"), author: pgettext("badge", "Author") };

  function addBadges(item, data) {
    var after = item.querySelector('[data-slot="guest"]') || item.querySelector('[data-slot="author"]');
    var kind = data.author && data.author.badge;
    [kind && BADGES[kind] ? kind : null, data.is_featured ? "pick" : null].forEach(function (name) {
      if (!name || !after) return;
      var badge = document.createElement("span");
      badge.className = "comment__badge comment__badge--" + name;
      badge.setAttribute("data-badge", name);
      badge.textContent = name === "pick" ? gettext("Newsroom pick") : BADGES[name];
      after.insertAdjacentElement("afterend", badge);
      after = badge;
    });
  }

  var STARS = "★★★★★☆☆☆☆☆";

  // The poster's stars and shared place, as _comment.html shows them. The API gives
  // only stored (coarsened) values and builds the map link itself.
  function fillRatingAndPlace(item, data) {
    var rating = item.querySelector('[data-slot="rating"]');
    var place = item.querySelector('[data-slot="location"]');
    var stars = parseInt(data.rating, 10);
    if (rating && stars >= 1 && stars <= 5) {
      rating.querySelector('[data-slot="stars"]').textContent = STARS.substr(5 - stars, 5);
      rating.querySelector('[data-slot="rating-text"]').textContent = interpolate(
        gettext("Rated %(rating)s out of 5"),
        { rating: formatNumber(stars) },
        true
      );
      rating.hidden = false;
    } else if (rating) {
      rating.remove();
    }
    var location = data.location;
    var mapUrl = location && location.map_url;
    if (place && location && typeof mapUrl === "string" && mapUrl.indexOf("https://") === 0) {
      place.href = mapUrl;
      place.querySelector('[data-slot="place"]').textContent = location.name || gettext("Shared location");
      place.hidden = false;
    } else if (place) {
      place.remove();
    }
    var meta = item.querySelector(".comment__meta");
    if (meta && !meta.querySelector("[data-slot]")) meta.remove();
  }

  // --- Attachments under a comment, as _attachment.html draws them ----------------------
  var THUMBNAIL_BOX = 320;
  var KIND_LABELS = { "application/pdf": "PDF", "text/plain": gettext("Text") };

  function fileKind(contentType) {
    var base = String(contentType || "").split(";")[0].trim().toLowerCase();
    return KIND_LABELS[base] || base.split("/").pop().toUpperCase() || gettext("File");
  }

  // Django's |filesizeformat: "136 bytes", "120.0 KB", "4.2 MB" (a no-break space inside).
  function fileSize(bytes) {
    var units = ["KB", "MB", "GB"];
    if (bytes < 1024) {
      return interpolate(ngettext("%(size)s byte", "%(size)s bytes", bytes), { size: formatNumber(bytes) }, true);
    }
    var value = bytes / 1024;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return formatNumber(value, 1, true) + "\u00a0" + units[unit];
  }

  // The API's absolute http(s) URL as a path on this site (behind a proxy its scheme or
  // host may differ from the page's); anything else (javascript:, data:) gives null.
  function sitePath(url) {
    try {
      var parsed = new URL(url, window.location.href);
      if (!/^https?:$/.test(parsed.protocol)) return null;
      return parsed.pathname + parsed.search;
    } catch (error) {
      return null;
    }
  }

  function attachmentItem(file) {
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.href = file.url;
    var isImage = Boolean(file.thumbnail_url) && /^image\//.test(file.content_type || "");
    if (isImage) {
      li.className = "attachment attachment--image";
      link.className = "attachment__thumb";
      link.title = file.name;
      var img = document.createElement("img");
      img.src = file.thumbnail_url;
      img.alt = file.name;
      if (file.width && file.height) {
        var scale = Math.min(1, THUMBNAIL_BOX / file.width, THUMBNAIL_BOX / file.height);
        img.width = Math.max(1, Math.round(file.width * scale));
        img.height = Math.max(1, Math.round(file.height * scale));
      }
      img.loading = "lazy";
      link.appendChild(img);
      li.appendChild(link);
    } else {
      li.className = "attachment attachment--file";
      link.className = "attachment__link";
      link.textContent = file.name;
      var meta = document.createElement("span");
      meta.className = "attachment__meta";
      meta.textContent = fileKind(file.content_type) + " · " + fileSize(file.size);
      li.appendChild(link);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(meta);
    }
    return li;
  }

  function fillAttachments(item, list) {
    var slot = item.querySelector('[data-slot="attachments"]');
    if (!slot) return;
    list = list
      .map(function (file) {
        var copy = Object.assign({}, file);
        copy.url = sitePath(file.url);
        copy.thumbnail_url = file.thumbnail_url ? sitePath(file.thumbnail_url) : null;
        return copy;
      })
      .filter(function (file) {
        return Boolean(file.url);
      });
    if (!list.length) {
      slot.remove();
      return;
    }
    // Thumbnails first, in a row; then the documents, one a line (as the page does).
    var items = list.map(attachmentItem);
    items
      .filter(function (li) { return li.classList.contains("attachment--image"); })
      .concat(items.filter(function (li) { return !li.classList.contains("attachment--image"); }))
      .forEach(function (li) { slot.appendChild(li); });
    slot.hidden = false;
  }

  function topList() {
    var list = root.querySelector("[data-comment-list]");
    if (list) return list;
    list = document.createElement("ol");
    list.className = "comment-list";
    list.setAttribute("data-comment-list", "");
    var empty = root.querySelector("[data-comments-empty]");
    if (empty) empty.replaceWith(list);
    else root.querySelector(".comment-respond").before(list);
    return list;
  }

  // Puts a built comment in the thread: last under its parent (replies are oldest first),
  // else as a new thread at the end of the list (at its start when `first`). With
  // `strict`, a reply whose parent is not on the page is not placed (false).
  function placeItem(item, parentId, first, strict) {
    var parent = parentId ? document.getElementById("c" + parentId) : null;
    if (parent) {
      var thread = parent.closest("li");
      var replies = thread.querySelector(":scope > .comment-replies");
      if (!replies) {
        replies = document.createElement("ol");
        replies.className = "comment-replies";
        thread.appendChild(replies);
      }
      replies.appendChild(item);
    } else if (parentId && strict) {
      return false;
    } else if (first) {
      var list = topList();
      list.insertBefore(item, list.firstElementChild);
    } else {
      topList().appendChild(item);
    }
    return true;
  }

  function insertComment(data) {
    var item = buildComment(data);
    placeItem(item, data.parent, false, false);
    var article = item.querySelector("article");
    if (data.status === "pending") {
      // Held for moderation: shown to its author alone, as the server shows it
      // (comments/_comment.html): a badge, and nothing to like, reply to or flag.
      article.classList.add("comment--pending");
      var badge = document.createElement("span");
      badge.className = "comment__badge comment__badge--pending";
      badge.setAttribute("data-slot", "pending");
      badge.textContent = gettext("Awaiting moderation");
      var author = article.querySelector('[data-slot="author"]');
      var guest = article.querySelector('[data-slot="guest"]');
      (guest || author).insertAdjacentElement("afterend", badge);
      article.querySelectorAll(".comment__like, [data-reply-to], [data-flag-link]").forEach(function (el) {
        el.remove();
      });
      article.classList.add("comment--new");
      return article;
    }
    var heading = document.getElementById("comments-heading");
    if (heading) {
      heading.textContent = heading.textContent.replace(/\((\d+)\)/, function (_, n) {
        return "(" + (parseInt(n, 10) + 1) + ")";
      });
    }
    article.classList.add("comment--new");
    return article;
  }

  // --- Reply in place ------------------------------------------------------------------------
  function moveFormHome() {
    if (!form) return;
    home.appendChild(form);
    form.elements.parent.value = "";
    form.querySelector("[data-replying]").hidden = true;
    away.hidden = true;
    root.querySelectorAll(".comment__reply-slot").forEach(function (slot) {
      if (!slot.firstElementChild) slot.remove();
    });
  }

  function replyTo(id) {
    var comment = document.getElementById("c" + id);
    if (!comment || !form) return false;
    var slot = document.getElementById("reply-" + id);
    if (!slot) {
      slot = document.createElement("div");
      slot.className = "comment__reply-slot";
      slot.id = "reply-" + id;
      comment.after(slot);
    }
    // A new reply here replaces the confirmation of the last one.
    slot.querySelectorAll("[data-notice]").forEach(function (old) {
      old.remove();
    });
    slot.appendChild(form);
    root.querySelectorAll(".comment__reply-slot").forEach(function (other) {
      if (other !== slot && !other.querySelector("[data-notice]")) other.remove();
    });
    var name = comment.querySelector('[data-slot="author"]');
    form.elements.parent.value = String(id);
    form.querySelector("[data-replying-name]").textContent = name ? name.textContent : "";
    form.querySelector("[data-replying]").hidden = false;
    away.querySelector("[data-away-name]").textContent = name ? name.textContent : "";
    away.hidden = false;
    form.elements.body.focus();
    return true;
  }

  // --- Posting ----------------------------------------------------------------------------
  // A random key like the server's (32 hex digits).
  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
  }

  // With files the comment goes as multipart/form-data, the same fields as text.
  function formData(payload) {
    var data = new FormData();
    Object.keys(payload).forEach(function (key) {
      var value = payload[key];
      if (key === "location") value = JSON.stringify(value);
      data.append(key, typeof value === "string" ? value : String(value));
    });
    files.list().forEach(function (file) {
      data.append("attachments", file, file.name);
    });
    return data;
  }

  function formPayload() {
    var payload = { body: form.elements.body.value };
    var parent = form.elements.parent.value;
    if (parent) payload.parent = parseInt(parent, 10);
    ["name", "email"].forEach(function (field) {
      if (form.elements[field]) payload[field] = form.elements[field].value;
    });
    ["notify_replies", "subscribe"].forEach(function (field) {
      if (form.elements[field]) payload[field] = form.elements[field].checked;
    });
    // The anti-spam fields travel too: the honeypot (people leave it empty) as `hp`,
    // and the signed time the form was shown.
    if (form.elements.homepage) payload.hp = form.elements.homepage.value;
    if (form.elements.form_token) payload.form_token = form.elements.form_token.value;
    var stars = form.querySelector("input[name=rating]:checked");
    if (stars && stars.value) payload.rating = parseInt(stars.value, 10);
    var location = place.value();
    if (location) payload.location = location;
    return payload;
  }

  // The stars stay: they show the reader's vote on the article (ratings.js), which
  // posting the comment did not change.
  function resetExtras() {
    place.clear();
    files.clear();
  }

  // The API is missing or failing: post the ordinary way, files included.
  function submitPlainly() {
    files.toPlainInputs();
    form.submit();
  }

  function onSubmit(event) {
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    if (button.disabled) return;
    button.disabled = true;
    clearErrors();
    var wasReply = Boolean(form.elements.parent.value);
    if (wasReply) {
      setStatus(files.list().length ? gettext("Posting your reply and files…") : gettext("Posting your reply…"));
    } else {
      setStatus(files.list().length ? gettext("Posting your comment and files…") : gettext("Posting your comment…"));
    }
    var payload = formPayload();
    // The form's idempotency key: a retried or repeated post of this form creates one
    // comment (the server answers a repeat with the first one).
    var keyInput = form.elements.idempotency_key;
    var headers = keyInput && keyInput.value ? { "Idempotency-Key": keyInput.value } : {};
    request("POST", apiUrl, files.list().length ? formData(payload) : payload, form, headers)
      .then(function (result) {
        button.disabled = false;
        setStatus("");
        if (result.status === 201) {
          // The next comment from this form is a new one: it needs a key of its own.
          if (keyInput) keyInput.value = newKey();
          form.elements.body.value = "";
          resetExtras();
          var pending = result.data.status === "pending";
          var slot = wasReply ? form.closest(".comment__reply-slot") : null;
          var article = insertComment(result.data);
          if (slot) {
            // A reply: its confirmation stays where the reply was written, the form goes
            // home (the notice keeps the slot), and the reader stays in the thread.
            showNotice(slot, form, [
              { text: pending ? gettext("Your reply is awaiting moderation.") : gettext("Your reply has been posted.") },
            ]);
            moveFormHome();
          } else if (pending) {
            setStatus(gettext("Your comment is awaiting moderation."));
            form.querySelector("[data-form-status]").focus();
          } else {
            setStatus(gettext("Your comment has been posted."));
            article.scrollIntoView({ block: "center" });
            article.focus({ preventScroll: true });
          }
        } else if (result.status === 400) {
          showFieldErrors(result.data);
        } else if (result.status === 413) {
          // A file over the size limit: said next to the files, which stay chosen.
          showFieldErrors({ attachments: [result.data.detail || gettext("A file is too large.")] });
        } else if (result.status === 403 || result.status === 429) {
          // A ban's message, or "posting too fast" with the wait; the text stays.
          showFormError([result.data.detail || gettext("Your comment could not be posted.")]);
        } else {
          submitPlainly();
        }
      })
      .catch(function () {
        submitPlainly();
      });
  }

  // --- Likes ----------------------------------------------------------------------------
  function onLike(event) {
    var likeForm = event.target;
    var button = likeForm.querySelector("[aria-pressed]");
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    var liked = button.getAttribute("aria-pressed") === "true";
    request(liked ? "DELETE" : "POST", button.getAttribute("data-like-url"), undefined, likeForm)
      .then(function (result) {
        button.disabled = false;
        if (result.status !== 200) {
          likeForm.submit();
          return;
        }
        button.setAttribute("aria-pressed", result.data.liked ? "true" : "false");
        button.querySelector('[data-slot="like-count"]').textContent = String(result.data.like_count);
      })
      .catch(function () {
        likeForm.submit();
      });
  }

  // --- Flag in place ------------------------------------------------------------------
  // "Flag" opens the flag page's own form (reasons and note, fetched from that page)
  // under the comment and sends it to the API. Once sent, the control reads "Flagged"
  // for the rest of this page view and the thanks sit under the comment. Anything
  // unexpected falls back to the flag page.
  function prefixIds(node, prefix) {
    node.querySelectorAll("[id]").forEach(function (el) {
      el.id = prefix + el.id;
    });
    node.querySelectorAll("label[for]").forEach(function (label) {
      label.htmlFor = prefix + label.htmlFor;
    });
    node.querySelectorAll("[aria-describedby]").forEach(function (el) {
      var ids = el.getAttribute("aria-describedby").split(" ").filter(Boolean);
      el.setAttribute(
        "aria-describedby",
        ids
          .map(function (id) {
            return prefix + id;
          })
          .join(" ")
      );
    });
  }

  function closeFlag(comment) {
    var panel = comment.querySelector("[data-flag-panel]");
    if (panel) panel.remove();
    var link = comment.querySelector("[data-flag-link]");
    if (link) {
      link.setAttribute("aria-expanded", "false");
      link.focus();
    }
  }

  function openFlag(link) {
    var comment = link.closest("article.comment");
    if (!comment) return false;
    var open = comment.querySelector("[data-flag-panel]");
    if (open) {
      closeFlag(comment);
      return true;
    }
    if (link.getAttribute("aria-busy") === "true") return true;
    link.setAttribute("aria-busy", "true");
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        link.removeAttribute("aria-busy");
        var source = new DOMParser().parseFromString(html, "text/html").querySelector("[data-flag-form]");
        if (!source) throw new Error("no flag form");
        var flagForm = document.importNode(source, true);
        // Without the API the form still posts to the flag page.
        flagForm.action = link.href;
        prefixIds(flagForm, "flag-" + comment.getAttribute("data-comment-id") + "-");
        var errors = document.createElement("div");
        errors.className = "form-errors";
        errors.setAttribute("role", "alert");
        errors.setAttribute("data-flag-errors", "");
        errors.hidden = true;
        flagForm.prepend(errors);
        var panel = document.createElement("div");
        panel.className = "comment__flag";
        panel.setAttribute("data-flag-panel", "");
        panel.id = "flag-panel-" + comment.getAttribute("data-comment-id");
        panel.appendChild(flagForm);
        comment.querySelector(".comment__actions").after(panel);
        link.setAttribute("aria-expanded", "true");
        link.setAttribute("aria-controls", panel.id);
        var first = flagForm.querySelector("input[name=reason]");
        if (first) first.focus();
      })
      .catch(function () {
        window.location.href = link.href;
      });
    return true;
  }

  function flagged(comment, detail) {
    var panel = comment.querySelector("[data-flag-panel]");
    if (panel) panel.remove();
    var link = comment.querySelector("[data-flag-link]");
    if (link) {
      var done = document.createElement("span");
      done.className = "comment__action comment__action--done";
      done.setAttribute("data-flagged", "");
      done.textContent = gettext("Flagged");
      link.replaceWith(done);
    }
    showNotice(comment, null, [{ text: detail || gettext("Thank you. A moderator will review this comment.") }]);
  }

  function onFlag(event) {
    var flagForm = event.target;
    event.preventDefault();
    var comment = flagForm.closest("article.comment");
    var button = flagForm.querySelector("[type=submit]");
    var errors = flagForm.querySelector("[data-flag-errors]");
    if (button.disabled) return;
    function fail(messages) {
      errors.textContent = "";
      messages.forEach(function (message) {
        errors.appendChild(errorLine(message));
      });
      errors.hidden = false;
      var first = flagForm.querySelector("input[name=reason]");
      if (first && !flagForm.querySelector("input[name=reason]:checked")) first.focus();
    }
    var reason = flagForm.querySelector("input[name=reason]:checked");
    if (!reason) {
      fail([flagForm.getAttribute("data-required-message") || gettext("Choose a reason.")]);
      return;
    }
    var body = { reason: reason.value };
    if (flagForm.elements.note) body.note = flagForm.elements.note.value;
    button.disabled = true;
    var url = apiRoot + "comments/" + comment.getAttribute("data-comment-id") + "/flag/";
    request("POST", url, body, flagForm)
      .then(function (result) {
        button.disabled = false;
        if (result.status === 200 || result.status === 201) {
          flagged(comment, result.data.detail);
        } else if (result.status === 400) {
          var messages = [];
          Object.keys(result.data).forEach(function (key) {
            messages = messages.concat([].concat(result.data[key]).map(String));
          });
          fail(messages);
        } else if (result.status === 403 || result.status === 429) {
          fail([result.data.detail || gettext("Your flag could not be sent.")]);
        } else {
          flagForm.submit();
        }
      })
      .catch(function () {
        flagForm.submit();
      });
  }

  // --- A notice from the server -----------------------------------------------------
  // A message about one comment (after the flag page, or a form sent without the API)
  // is rendered next to that comment (comments.threads); give it focus so that it is
  // announced and in view.
  function placeFlash() {
    var notice = root.querySelector("[data-notice]");
    if (!notice) return;
    // After the load: the browser focuses the #c<id> target itself when it scrolls there.
    var focus = function () {
      window.requestAnimationFrame(function () {
        notice.focus();
      });
    };
    if (document.readyState === "complete") focus();
    else window.addEventListener("load", focus);
  }

  // --- Load more ------------------------------------------------------------------------
  function loadMore(link) {
    link.setAttribute("aria-busy", "true");
    fetch(link.getAttribute("data-more-url"), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var list = topList();
        var firstNew = null;
        doc.querySelectorAll("[data-comment-list] > li").forEach(function (item) {
          var node = document.importNode(item, true);
          list.appendChild(node);
          firstNew = firstNew || node.querySelector("article");
        });
        var oldMore = link.closest("[data-comments-more]");
        var newMore = doc.querySelector("[data-comments-more]");
        if (newMore) oldMore.replaceWith(document.importNode(newMore, true));
        else oldMore.remove();
        if (firstNew) firstNew.focus();
      })
      .catch(function () {
        window.location.href = link.href;
      });
  }

  // --- Share Your Location ------------------------------------------------------------
  // "Use my location" asks the browser for its position, keeps it in the hidden
  // latitude/longitude inputs (the server rounds it to ~1 km unless "precise" is ticked)
  // and asks the server's offline geocoder for a place name, which the reader may edit.
  var place = (function () {
    var box = form && form.querySelector("[data-location]");
    var none = { value: function () { return null; }, clear: function () {} };
    if (!box) return none;
    var useButton = box.querySelector("[data-location-use]");
    var removeButton = box.querySelector("[data-location-remove]");
    var coords = box.querySelector("[data-location-coords]");
    var status = box.querySelector("[data-location-status]");
    var name = form.elements.location_name;
    var latitude = form.elements.latitude;
    var longitude = form.elements.longitude;
    var precise = form.elements.location_precise;
    // Whether the place name is ours (from the geocoder) rather than typed.
    var nameIsFound = false;
    var lookup = 0;

    function say(text) {
      status.textContent = text;
    }

    function refresh() {
      var has = Boolean(latitude.value && longitude.value);
      var places = precise && precise.checked ? 6 : 2;
      coords.textContent = has
        ? "near " + Number(latitude.value).toFixed(places) + ", " + Number(longitude.value).toFixed(places)
        : "";
      coords.hidden = !has;
      removeButton.hidden = !(has || name.value.trim());
    }

    function found(position) {
      var lat = position.coords.latitude;
      var lon = position.coords.longitude;
      latitude.value = lat.toFixed(6);
      longitude.value = lon.toFixed(6);
      refresh();
      useButton.disabled = false;
      say(gettext("Looking up the place name…"));
      var mine = ++lookup;
      // The name needs no more than the ~1 km the site keeps.
      var url =
        box.getAttribute("data-geocode-url") +
        "?latitude=" + encodeURIComponent(lat.toFixed(2)) +
        "&longitude=" + encodeURIComponent(lon.toFixed(2));
      request("GET", url)
        .then(function (result) {
          if (mine !== lookup || !latitude.value) return;
          if (result.status === 200 && result.data.name) {
            if (!name.value.trim() || nameIsFound) {
              name.value = result.data.name;
              nameIsFound = true;
            }
            refresh();
            say(interpolate(gettext("Location found: %(place)s. You can change the name."), { place: result.data.name }, true));
          } else if (result.status === 404) {
            say(gettext("No named place near there. Type one, or post with just the coordinates."));
          } else {
            say(gettext("The place name could not be looked up. You can type one."));
          }
        })
        .catch(function () {
          if (mine === lookup) say(gettext("The place name could not be looked up. You can type one."));
        });
    }

    function failed(error) {
      useButton.disabled = false;
      var messages = {
        1: gettext("Location permission was denied. You can type a place name instead."),
        2: gettext("Your position is not available right now. You can type a place name instead."),
        3: gettext("Finding your position took too long. Try again, or type a place name."),
      };
      say(messages[error && error.code] || messages[2]);
    }

    function locate() {
      if (!navigator.geolocation) {
        say(gettext("Your browser cannot share its location. Type a place name instead."));
        return;
      }
      useButton.disabled = true;
      say(gettext("Finding your location…"));
      navigator.geolocation.getCurrentPosition(found, failed, {
        enableHighAccuracy: false,
        timeout: 15000,
        maximumAge: 600000,
      });
    }

    function clear() {
      lookup++;
      name.value = "";
      latitude.value = "";
      longitude.value = "";
      if (precise) precise.checked = false;
      nameIsFound = false;
      useButton.disabled = false;
      say("");
      refresh();
    }

    function value() {
      var location = { name: name.value.trim() };
      if (latitude.value && longitude.value) {
        location.latitude = Number(latitude.value);
        location.longitude = Number(longitude.value);
      }
      if (!location.name && location.latitude === undefined) return null;
      location.precise = Boolean(precise && precise.checked);
      return location;
    }

    useButton.hidden = false;
    box.querySelectorAll("[data-location-js]").forEach(function (el) {
      el.hidden = false;
    });
    useButton.addEventListener("click", locate);
    removeButton.addEventListener("click", function () {
      clear();
      say(gettext("Location removed."));
      name.focus();
    });
    name.addEventListener("input", function () {
      nameIsFound = false;
      refresh();
    });
    if (precise) precise.addEventListener("change", refresh);
    refresh();
    return { value: value, clear: clear };
  })();

  // --- Attachments (n / 3) ------------------------------------------------------------
  // One "Add file" button instead of the plain file inputs. Chosen files are listed
  // (name, size, a preview of images, "Remove") and sent with the comment. A file the
  // server would refuse for the count, the type or the size is refused at once, in the
  // status region next to the button, with the server's own words (data-* attributes).
  // This is early feedback: the server checks every file by its content and decides.
  var files = (function () {
    var box = form && form.querySelector("[data-attachments]");
    var none = {
      control: null,
      list: function () { return []; },
      clear: function () {},
      toPlainInputs: function () {},
    };
    if (!box || !window.FormData || !window.URL || !URL.createObjectURL) return none;
    var max = parseInt(box.getAttribute("data-max"), 10) || 0;
    var maxBytes = parseInt(box.getAttribute("data-max-bytes"), 10) || 0;
    var maxMb = box.getAttribute("data-max-mb");
    // The messages come from the server's form, in the page's language.
    var tooMany = box.getAttribute("data-too-many");
    var tooLarge = box.getAttribute("data-too-large");
    var notAllowed = box.getAttribute("data-not-allowed");
    var plain = box.querySelector("[data-attachments-plain]");
    var plainInputs = plain.querySelectorAll("input[type=file]");
    var addButton = box.querySelector("[data-attachments-add]");
    var picker = box.querySelector("[data-attachments-picker]");
    var listEl = box.querySelector("[data-attachments-list]");
    var count = box.querySelector("[data-attachments-count]");
    var status = box.querySelector("[data-attachments-status]");
    var errorSlot = box.querySelector("[data-error-for]");
    var chosen = []; // {file, url}
    // The types the picker offers (its accept list, the form's ATTACHMENT_ACCEPT).
    var accepted = (picker.getAttribute("accept") || "")
      .split(",")
      .map(function (type) {
        return type.trim().toLowerCase();
      })
      .filter(Boolean);

    // The browser guesses a type from the file's name; a type it cannot guess ("") is
    // left for the server, which looks at the content.
    function typeAllowed(file) {
      var type = String(file.type || "").toLowerCase();
      return !type || !accepted.length || accepted.indexOf(type) !== -1;
    }

    // The status region (role="status"): what was refused and why, then the count.
    function say(text, refused) {
      status.textContent = "";
      (refused || []).forEach(function (message) {
        var line = errorLine(message);
        line.className = "field__error";
        status.appendChild(line);
      });
      if (text) {
        var summary = document.createElement("p");
        summary.textContent = text;
        status.appendChild(summary);
      }
    }

    function sayError(messages) {
      errorSlot.textContent = "";
      messages.forEach(function (message) {
        errorSlot.appendChild(errorLine(message));
      });
      errorSlot.hidden = !messages.length;
    }

    function render() {
      listEl.textContent = "";
      chosen.forEach(function (entry, index) {
        var file = entry.file;
        var li = document.createElement("li");
        li.className = "attachments__item";
        if (entry.url) {
          var img = document.createElement("img");
          img.className = "attachments__preview";
          img.src = entry.url;
          img.alt = "";
          li.appendChild(img);
        } else {
          var badge = document.createElement("span");
          badge.className = "attachments__badge";
          badge.setAttribute("aria-hidden", "true");
          badge.textContent = fileKind(file.type).slice(0, 4);
          li.appendChild(badge);
        }
        var about = document.createElement("span");
        about.className = "attachments__about";
        var name = document.createElement("span");
        name.className = "attachments__name";
        name.textContent = file.name;
        var size = document.createElement("span");
        size.className = "attachments__size";
        size.textContent = fileSize(file.size);
        about.appendChild(name);
        about.appendChild(size);
        li.appendChild(about);
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "attachments__remove";
        remove.setAttribute("data-attachments-remove", String(index));
        remove.textContent = gettext("Remove");
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " " + file.name;
        remove.appendChild(hidden);
        li.appendChild(remove);
        listEl.appendChild(li);
      });
      listEl.hidden = !chosen.length;
      count.textContent = String(chosen.length);
      var full = chosen.length >= max;
      addButton.disabled = full;
      if (full) addButton.title = tooMany;
      else addButton.removeAttribute("title");
    }

    function add(fileList) {
      var refused = [];
      var added = 0;
      Array.prototype.forEach.call(fileList, function (file) {
        // In the server's order: the count first, then the file itself.
        if (chosen.length >= max) {
          refused.push(interpolate(gettext("%(name)s was not added. %(reason)s"), { name: file.name, reason: tooMany }, true));
        } else if (!typeAllowed(file)) {
          refused.push(interpolate(gettext("%(name)s was not added. %(reason)s"), { name: file.name, reason: notAllowed }, true));
        } else if (maxBytes && file.size > maxBytes) {
          refused.push(interpolate(gettext("%(name)s is too large and was not added. %(reason)s"), { name: file.name, reason: tooLarge }, true));
        } else if (!file.size) {
          refused.push(file.name + " is empty and was not added.");
        } else {
          var isImage = /^image\/(jpeg|png|gif|webp)$/.test(file.type);
          chosen.push({ file: file, url: isImage ? URL.createObjectURL(file) : null });
          added++;
        }
      });
      var again = box.querySelector("[data-attachments-again]");
      if (again && added) again.remove();
      // The server's errors were about the files sent then; these are new choices.
      sayError([]);
      render();
      var summary = chosen.length + " of " + max + " files attached.";
      var names = Array.prototype.filter.call(fileList, function (file) {
        return chosen.some(function (entry) {
          return entry.file === file;
        });
      });
      if (added === 1) say(names[0].name + " added. " + summary, refused);
      else if (added) say(added + " files added. " + summary, refused);
      else if (refused.length) say(summary, refused);
      // Focus stays near the list when the button it was on becomes disabled.
      if (addButton.disabled && chosen.length) {
        listEl.querySelector("li:last-child [data-attachments-remove]").focus();
      }
    }

    function removeAt(index) {
      var entry = chosen.splice(index, 1)[0];
      if (!entry) return;
      if (entry.url) URL.revokeObjectURL(entry.url);
      sayError([]);
      render();
      say(entry.file.name + " removed. " + chosen.length + " of " + max + " files attached.");
      var next = listEl.querySelectorAll("[data-attachments-remove]")[Math.min(index, chosen.length - 1)];
      (next || addButton).focus();
    }

    function clear() {
      chosen.forEach(function (entry) {
        if (entry.url) URL.revokeObjectURL(entry.url);
      });
      chosen = [];
      picker.value = "";
      say("");
      render();
    }

    // Before a plain submit: hand the chosen files to the plain inputs, one each.
    function toPlainInputs() {
      if (!window.DataTransfer) return;
      plainInputs.forEach(function (input, index) {
        var entry = chosen[index];
        try {
          var transfer = new DataTransfer();
          if (entry) transfer.items.add(entry.file);
          input.files = transfer.files;
        } catch (error) {
          return;
        }
        input.disabled = false;
      });
    }

    plain.hidden = true;
    plainInputs.forEach(function (input) {
      input.disabled = true;
    });
    box.querySelector("[data-attachments-js]").hidden = false;
    addButton.addEventListener("click", function () {
      picker.click();
    });
    picker.addEventListener("change", function () {
      add(picker.files);
      picker.value = "";
    });
    listEl.addEventListener("click", function (event) {
      var button = event.target.closest("[data-attachments-remove]");
      if (button) removeAt(parseInt(button.getAttribute("data-attachments-remove"), 10));
    });
    render();
    return {
      control: addButton,
      list: function () {
        return chosen.map(function (entry) {
          return entry.file;
        });
      },
      clear: clear,
      toPlainInputs: toPlainInputs,
    };
  })();

  // --- Live updates ------------------------------------------------------------------------
  // A reader who keeps the page open is told of new comments ("3 new comments — show")
  // and the heading's count follows, without a reload; the button puts them in place.
  // ?after=<largest id seen> is polled every data-poll-ms with If-None-Match (a 304,
  // from the server's cache alone, while nothing changed): no connection is held open,
  // so sync workers are never tied up by open pages. A hidden tab polls once a minute
  // at most (and at once on coming back); errors back off exponentially.
  // Only where new comments have a place: replies under a parent on the page, new
  // threads where this page ends (the last page, oldest or most liked first) or starts
  // (page 1, newest first). A comment held for review and approved later has a smaller
  // id than `after` and is not fetched; the approval moves the heading's count.
  function startLive() {
    var url = root.getAttribute("data-live-url");
    var region = root.querySelector("[data-live-region]");
    if (!url || !region || !template) return;
    var interval = Math.max(250, parseInt(root.getAttribute("data-poll-ms"), 10) || 15000);
    var hiddenInterval = Math.max(60000, interval * 4);
    var ordering = root.getAttribute("data-live-ordering") || "oldest";
    var newestFirst = ordering === "newest";
    var pageNumber = parseInt(root.getAttribute("data-live-page"), 10) || 1;
    var after = null; // the largest id seen, once this page is where new threads go
    var etag = null;
    var etagUrl = null;
    var waiting = []; // fetched, placeable, not shown yet (API rows, by id)
    var failures = 0;
    var timer = null;
    var busy = false;
    var lastPoll = Date.now();

    function onPage(id) {
      return Boolean(document.getElementById("c" + id));
    }

    function isWaiting(id) {
      return waiting.some(function (row) {
        return row.id === id;
      });
    }

    // New threads belong here (for the oldest or most liked order: no "Load more").
    function threadsEndHere() {
      return newestFirst ? pageNumber === 1 : !root.querySelector("[data-comments-more]");
    }

    function largestId() {
      var largest = 0;
      root.querySelectorAll("article[data-comment-id]").forEach(function (el) {
        largest = Math.max(largest, parseInt(el.getAttribute("data-comment-id"), 10) || 0);
      });
      return largest;
    }

    function setCount(count) {
      var heading = document.getElementById("comments-heading");
      if (heading) heading.textContent = heading.textContent.replace(/\(\d+\)/, "(" + count + ")");
    }

    function render() {
      waiting = waiting.filter(function (row) {
        return !onPage(row.id); // the reader's own, posted from this page meanwhile
      });
      var button = region.querySelector("[data-live-show]");
      if (!waiting.length) {
        if (button) button.remove();
        return;
      }
      var text = interpolate(
        ngettext("%(count)s new comment — show", "%(count)s new comments — show", waiting.length),
        { count: formatNumber(waiting.length) },
        true
      );
      if (!button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "comments__new";
        button.setAttribute("data-live-show", "");
        region.appendChild(button);
      }
      if (button.textContent !== text) button.textContent = text;
    }

    function received(data) {
      var rows = data.results || [];
      rows.forEach(function (row) {
        after = Math.max(after, row.id);
        if (onPage(row.id) || isWaiting(row.id)) return;
        var placeable = row.parent ? onPage(row.parent) || isWaiting(row.parent) : threadsEndHere();
        if (placeable) waiting.push(row);
      });
      if (typeof data.comment_count === "number") setCount(data.comment_count);
      render();
      return Boolean(data.next);
    }

    function show() {
      var shown = waiting;
      var first = null;
      waiting = [];
      shown.forEach(function (row) {
        if (onPage(row.id)) return;
        var item = buildComment(row, true);
        if (!placeItem(item, row.parent, newestFirst, true)) return;
        var article = item.querySelector("article");
        article.classList.add("comment--new");
        first = first || article;
      });
      render();
      if (first) {
        first.scrollIntoView({ block: "center" });
        first.focus({ preventScroll: true });
      }
    }

    function delay() {
      if (document.visibilityState === "hidden") return hiddenInterval;
      return failures ? Math.min(interval * Math.pow(2, failures), 10 * 60000) : interval;
    }

    function schedule(ms) {
      window.clearTimeout(timer);
      timer = window.setTimeout(poll, ms);
    }

    function poll() {
      if (busy) return;
      // Elsewhere in the thread (an earlier page, oldest first): nothing to place here.
      if (!threadsEndHere()) {
        schedule(delay());
        return;
      }
      if (after === null) after = largestId();
      var pollUrl = url + "?after=" + after + "&page_size=100";
      var headers = { Accept: "application/json" };
      if (etag && etagUrl === pollUrl) headers["If-None-Match"] = etag;
      busy = true;
      var more = false;
      fetch(pollUrl, { credentials: "same-origin", headers: headers, cache: "no-store" })
        .then(function (response) {
          if (response.status === 304) return null;
          if (!response.ok) throw new Error(String(response.status));
          var tag = response.headers.get("ETag");
          return response.json().then(function (data) {
            etag = tag;
            etagUrl = pollUrl;
            return data;
          });
        })
        .then(function (data) {
          failures = 0;
          if (data) more = received(data);
        })
        .catch(function () {
          failures = Math.min(failures + 1, 6);
        })
        .then(function () {
          busy = false;
          lastPoll = Date.now();
          schedule(more ? 0 : delay());
        });
    }

    region.addEventListener("click", function (event) {
      if (event.target.closest("[data-live-show]")) show();
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState !== "visible" || busy) return;
      schedule(Math.max(0, interval - (Date.now() - lastPoll)));
    });
    schedule(interval);
  }

  // --- Wiring ----------------------------------------------------------------------------
  if (form) form.addEventListener("submit", onSubmit);

  // "Write a comment" beside the heading: the anchor jumps to #respond; bring the form
  // back there first if it is open under a comment.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-write-comment]");
    if (link && form && !home.contains(form)) moveFormHome();
  });

  root.addEventListener("submit", function (event) {
    if (event.target.matches("[data-like-form]")) onLike(event);
    else if (event.target.matches("[data-flag-form]")) onFlag(event);
  });

  root.addEventListener("keydown", function (event) {
    var panel = event.key === "Escape" && event.target.closest("[data-flag-panel]");
    if (panel) closeFlag(panel.closest("article.comment"));
  });

  root.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.hasAttribute("data-reply-to")) {
      if (replyTo(link.getAttribute("data-reply-to"))) event.preventDefault();
    } else if (link.hasAttribute("data-cancel-reply")) {
      event.preventDefault();
      moveFormHome();
      form.elements.body.focus();
    } else if (link.hasAttribute("data-more-url")) {
      event.preventDefault();
      loadMore(link);
    } else if (link.hasAttribute("data-flag-link")) {
      if (openFlag(link)) event.preventDefault();
    } else if (link.hasAttribute("data-flag-cancel")) {
      event.preventDefault();
      closeFlag(link.closest("article.comment"));
    }
  });

  placeFlash();
  startLive();
})();
