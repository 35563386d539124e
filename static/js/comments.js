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

  function request(method, url, body, scope) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(scope) },
    };
    if (body !== undefined) {
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
    prefix.textContent = "Error:";
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
      ["Your comment was not posted. Please check the fields marked below."].concat(general)
    );
    if (first) first.focus();
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

  function buildComment(data) {
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
    var time = item.querySelector('[data-slot="time"]');
    time.setAttribute("datetime", data.created_at);
    time.setAttribute("title", new Date(data.created_at).toLocaleString());
    time.textContent = "just now";
    // body_html is rendered and sanitised by the server (Markdown safe subset + nh3).
    item.querySelector('[data-slot="body"]').innerHTML = data.body_html;
    item.querySelector('[data-slot="like-count"]').textContent = String(data.like_count || 0);
    fillRatingAndPlace(item, data);
    // The author may edit: a guest holds the edit token (also set as a cookie),
    // a signed-in reader is the author.
    if (!(data.edit_token || signedIn)) {
      item.querySelectorAll('[data-slot="edit"], [data-slot="delete"]').forEach(function (el) {
        el.remove();
      });
    }
    return item;
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
      rating.querySelector('[data-slot="rating-text"]').textContent =
        "Rated " + stars + " out of 5";
      rating.hidden = false;
    } else if (rating) {
      rating.remove();
    }
    var location = data.location;
    var mapUrl = location && location.map_url;
    if (place && location && typeof mapUrl === "string" && mapUrl.indexOf("https://") === 0) {
      place.href = mapUrl;
      place.querySelector('[data-slot="place"]').textContent = location.name || "Shared location";
      place.hidden = false;
    } else if (place) {
      place.remove();
    }
    var meta = item.querySelector(".comment__meta");
    if (meta && !meta.querySelector("[data-slot]")) meta.remove();
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

  function insertComment(data) {
    var item = buildComment(data);
    var parent = data.parent ? document.getElementById("c" + data.parent) : null;
    if (parent) {
      var thread = parent.closest("li");
      var replies = thread.querySelector(":scope > .comment-replies");
      if (!replies) {
        replies = document.createElement("ol");
        replies.className = "comment-replies";
        thread.appendChild(replies);
      }
      replies.appendChild(item);
    } else {
      topList().appendChild(item);
    }
    var heading = document.getElementById("comments-heading");
    if (heading) {
      heading.textContent = heading.textContent.replace(/\((\d+)\)/, function (_, n) {
        return "(" + (parseInt(n, 10) + 1) + ")";
      });
    }
    var article = item.querySelector("article");
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
    slot.appendChild(form);
    root.querySelectorAll(".comment__reply-slot").forEach(function (other) {
      if (other !== slot) other.remove();
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

  function resetExtras() {
    var none = form.querySelector("input[name=rating][value='']");
    if (none) none.checked = true;
    place.clear();
  }

  function onSubmit(event) {
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    if (button.disabled) return;
    button.disabled = true;
    clearErrors();
    setStatus("Posting your comment…");
    request("POST", apiUrl, formPayload(), form)
      .then(function (result) {
        button.disabled = false;
        setStatus("");
        if (result.status === 201) {
          form.elements.body.value = "";
          resetExtras();
          var pending = result.data.status === "pending";
          var wasReply = Boolean(form.elements.parent.value);
          moveFormHome();
          if (pending) {
            setStatus("Your comment is awaiting moderation.");
          } else {
            var article = insertComment(result.data);
            setStatus(wasReply ? "Your reply has been posted." : "Your comment has been posted.");
            article.scrollIntoView({ block: "center" });
            article.focus({ preventScroll: true });
          }
        } else if (result.status === 400) {
          showFieldErrors(result.data);
        } else if (result.status === 403 || result.status === 429) {
          // A ban's message, or "posting too fast" with the wait; the text stays.
          showFormError([result.data.detail || "Your comment could not be posted."]);
        } else {
          // The API is missing or failing: post the ordinary way.
          form.submit();
        }
      })
      .catch(function () {
        form.submit();
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
      say("Looking up the place name…");
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
            say("Location found: " + result.data.name + ". You can change the name.");
          } else if (result.status === 404) {
            say("No named place near there. Type one, or post with just the coordinates.");
          } else {
            say("The place name could not be looked up. You can type one.");
          }
        })
        .catch(function () {
          if (mine === lookup) say("The place name could not be looked up. You can type one.");
        });
    }

    function failed(error) {
      useButton.disabled = false;
      var messages = {
        1: "Location permission was denied. You can type a place name instead.",
        2: "Your position is not available right now. You can type a place name instead.",
        3: "Finding your position took too long. Try again, or type a place name.",
      };
      say(messages[error && error.code] || messages[2]);
    }

    function locate() {
      if (!navigator.geolocation) {
        say("Your browser cannot share its location. Type a place name instead.");
        return;
      }
      useButton.disabled = true;
      say("Finding your location…");
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
      say("Location removed.");
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

  // --- Wiring ----------------------------------------------------------------------------
  if (form) form.addEventListener("submit", onSubmit);

  root.addEventListener("submit", function (event) {
    if (event.target.matches("[data-like-form]")) onLike(event);
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
    }
  });
})();
