/* Image-size calculator for Qwen-VL models (docs/calculator.md).
 *
 * The arithmetic mirrors transformers' smart_resize (models/qwen2_vl/image_processing_qwen2_vl.py)
 * and get_vision_window_index (vision_utils.py) operation for operation, so that every float has the
 * same bits as in Python: tests/pages/test_calculator.py runs this file under node over a golden table
 * produced by the installed transformers and requires exact equality.
 *
 * Loaded by the calculator page only; in node it exports its functions (CommonJS). On a page without
 * the calculator it does nothing.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  if (typeof document !== "undefined") {
    root.QwenCalculator = api;
    api.mount(document, root);
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // Sides and pixel bounds are capped so every integer the computation meets stays below 2**53,
  // where JavaScript numbers are exact, like Python's ints.
  var MAX_SIDE = 1000000;
  var MAX_PIXELS = 1000000000000;

  function PyError(type, message) {
    this.type = type;
    this.message = message;
  }

  // Python's round() on a float: ties go to the even integer (round(2.5) == 2), unlike Math.round.
  function roundHalfEven(x) {
    var f = Math.floor(x);
    var d = x - f; // exact: x and floor(x) are multiples of x's last place
    if (d < 0.5) return f;
    if (d > 0.5) return f + 1;
    return f % 2 === 0 ? f : f + 1;
  }

  // repr() of a Python float, for the numbers transformers puts in its messages (here always >= 1).
  function pyFloatRepr(x) {
    if (Number.isInteger(x) && Math.abs(x) < 1e16) return x.toFixed(1);
    return String(x);
  }

  // transformers.models.qwen2_vl.image_processing_qwen2_vl.smart_resize, same operations, same order.
  function smartResize(height, width, factor, minPixels, maxPixels) {
    if (Math.min(height, width) === 0) throw new PyError("ZeroDivisionError", "division by zero");
    var ratio = Math.max(height, width) / Math.min(height, width);
    if (ratio > 200) {
      throw new PyError("ValueError", "absolute aspect ratio must be smaller than 200, got " + pyFloatRepr(ratio));
    }
    var hBar = roundHalfEven(height / factor) * factor;
    var wBar = roundHalfEven(width / factor) * factor;
    var beta, branch = "rounded";
    if (hBar * wBar > maxPixels) {
      branch = "shrunk";
      beta = Math.sqrt((height * width) / maxPixels);
      hBar = Math.max(factor, Math.floor(height / beta / factor) * factor);
      wBar = Math.max(factor, Math.floor(width / beta / factor) * factor);
    } else if (hBar * wBar < minPixels) {
      branch = "enlarged";
      beta = Math.sqrt(minPixels / (height * width));
      hBar = Math.ceil((height * beta) / factor) * factor;
      wBar = Math.ceil((width * beta) / factor) * factor;
    }
    var out = [hBar, wBar];
    out.branch = branch; // which of smart_resize's three paths ran (shown, not compared)
    return out;
  }

  // The processor's own check, before smart_resize: a zero bound is refused with this message.
  function sizeDictError(minPixels, maxPixels) {
    return "`size` dict must contain 'shortest_edge' and 'longest_edge' keys but got SizeDict(height=None, " +
      "width=None, longest_edge=" + maxPixels + ", shortest_edge=" + minPixels +
      ", max_height=None, max_width=None, min_pixels=None, max_pixels=None).";
  }

  // get_vision_window_index in closed form: windows of side `side` merged tokens tile the merged grid
  // from the top-left; the last row and column are cut short; empty windows are dropped.
  function windowLayout(llmH, llmW, side) {
    var rows = Math.ceil(llmH / side), cols = Math.ceil(llmW / side);
    var lastH = llmH - (rows - 1) * side, lastW = llmW - (cols - 1) * side;
    var fullRows = lastH === side ? rows : rows - 1, fullCols = lastW === side ? cols : cols - 1;
    return {
      side: side, rows: rows, cols: cols, lastH: lastH, lastW: lastW,
      count: rows * cols,
      full: fullRows * fullCols,
      smallest: lastH * lastW,
      largest: Math.min(side, llmH) * Math.min(side, llmW),
      equals_full_attention: llmH <= side && llmW <= side
    };
  }

  // Token count of every window, in the order the code visits them (row by row), or null if too many.
  function windowSizes(layout, limit) {
    if (layout.count > limit) return null;
    var sizes = [];
    for (var r = 0; r < layout.rows; r++) {
      var h = r === layout.rows - 1 ? layout.lastH : layout.side;
      for (var c = 0; c < layout.cols; c++) sizes.push(h * (c === layout.cols - 1 ? layout.lastW : layout.side));
    }
    return sizes;
  }

  /* One input -> what the processor and the vision encoder do with it.
   * c: {height, width, patch_size, merge_size, window_size (or null), min_pixels, max_pixels}, integers. */
  function compute(c) {
    if (!c.min_pixels || !c.max_pixels) {
      return { error: "ValueError: " + sizeDictError(c.min_pixels, c.max_pixels) };
    }
    var factor = c.patch_size * c.merge_size, resized;
    try {
      resized = smartResize(c.height, c.width, factor, c.min_pixels, c.max_pixels);
    } catch (e) {
      if (e instanceof PyError) return { error: e.type + ": " + e.message };
      throw e;
    }
    var gridH = Math.floor(resized[0] / c.patch_size), gridW = Math.floor(resized[1] / c.patch_size);
    var result = {
      resized: [resized[0], resized[1]],
      branch: resized.branch,
      grid: [gridH, gridW],
      tokens: Math.floor((gridH * gridW) / (c.merge_size * c.merge_size)),
      scale: [resized[0] / c.height, resized[1] / c.width],
      windows: null
    };
    if (c.window_size !== null && c.window_size !== undefined) {
      var side = Math.floor(Math.floor(c.window_size / c.merge_size) / c.patch_size);
      result.windows = windowLayout(Math.floor(gridH / c.merge_size), Math.floor(gridW / c.merge_size), side);
    }
    return result;
  }

  /* ---- form input ---- */

  function parseField(raw, label, unit, max) {
    var text = raw === null || raw === undefined ? "" : String(raw).trim();
    if (text === "") return { error: label + " is empty: type a whole number of " + unit + "." };
    if (!/^[+-]?[0-9]+$/.test(text)) {
      var asNumber = Number(text.replace(/,/g, ""));
      if (Number.isFinite(asNumber) && !Number.isInteger(asNumber)) {
        return { error: label + " must be a whole number of " + unit + "; got " + text + ", which is fractional." };
      }
      if (Number.isFinite(asNumber)) {
        return { error: label + " must be written with the digits 0-9 only; got \u201c" + text + "\u201d." };
      }
      return { error: label + " must be a number; got \u201c" + text + "\u201d, which is not one." };
    }
    var digits = text.replace(/^[+]/, "");
    if (digits.charAt(0) === "-" && /[1-9]/.test(digits)) {
      return { error: label + " must be at least 1 pixel; got " + digits + ", which is negative." };
    }
    digits = digits.replace(/^-/, "").replace(/^0+(?=[0-9])/, "");
    if (digits.length > 16 || Number(digits) > max) {
      return { error: label + " is too large: the calculator takes at most " + max.toLocaleString("en-US") + " " +
        unit + " (so that every intermediate integer stays exact in JavaScript); got " + digits + "." };
    }
    return { value: Number(digits) };
  }

  // Raw field strings -> {input} or {errors: [...]}; transformers' own message added where it raises.
  function readInputs(raw, preset) {
    var fields = [
      ["width", "Width", "pixels", MAX_SIDE], ["height", "Height", "pixels", MAX_SIDE],
      ["min_pixels", "min_pixels", "pixels", MAX_PIXELS], ["max_pixels", "max_pixels", "pixels", MAX_PIXELS]
    ];
    var errors = [], input = {
      patch_size: preset.patch_size, merge_size: preset.merge_size, window_size: preset.window_size
    };
    var zeroBounds = [];
    fields.forEach(function (f) {
      var parsed = parseField(raw[f[0]], f[1], f[2], f[3]);
      if (parsed.error) errors.push(parsed.error);
      else if (parsed.value === 0 && (f[0] === "width" || f[0] === "height")) {
        errors.push(f[1] + " must be at least 1 pixel; got 0. transformers' smart_resize fails on it too: " +
          "ZeroDivisionError: division by zero.");
      } else {
        if (parsed.value === 0) zeroBounds.push(f[1]);
        input[f[0]] = parsed.value;
      }
    });
    zeroBounds.forEach(function (name, i) {
      // With the other fields valid, the processor's exact message; it names both bounds, so say it once.
      var said = !errors.length && i === 0 ? " transformers' image processor refuses it too: " + compute(input).error : "";
      errors.push(name + " must be at least 1; got 0." + said);
    });
    if (errors.length) return { errors: errors };
    return { input: input };
  }

  /* ---- the page ---- */

  var FIELDS = ["width", "height", "min_pixels", "max_pixels"];
  var fmt = function (n) { return n.toLocaleString("en-US"); };
  var fmtScale = function (s) { return (Math.round(s * 10000) / 10000).toString(); };

  function escapeHtml(s) {
    return String(s).replace(/[&<>"]/g, function (ch) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[ch];
    });
  }

  function presetByKey(data, key) {
    for (var i = 0; i < data.presets.length; i++) if (data.presets[i].key === key) return data.presets[i];
    return null;
  }

  function row(label, id, value, note) {
    return "<tr><th scope=\"row\">" + label + "</th><td><span id=\"" + id + "\">" + value + "</span>" +
      (note ? " <span class=\"calc-note\">" + note + "</span>" : "") + "</td></tr>";
  }

  function resultTable(input, preset, r) {
    var rows = [];
    var pixels = r.resized[0] * r.resized[1];
    rows.push(row("Resized image (width x height)", "calc-resized", r.resized[1] + " x " + r.resized[0],
      "pixels, " + fmt(pixels) + " in all; both sides are multiples of " + (preset.patch_size * preset.merge_size)));
    rows.push(row("Scale factor (x, y)", "calc-scale", fmtScale(r.scale[1]) + " x " + fmtScale(r.scale[0]),
      "resized / original, per axis"));
    rows.push(row("Patch grid (columns x rows)", "calc-grid", r.grid[1] + " x " + r.grid[0],
      fmt(r.grid[0] * r.grid[1]) + " patches of " + preset.patch_size + " x " + preset.patch_size + " px"));
    rows.push(row("LLM image tokens", "calc-tokens", fmt(r.tokens),
      "each merges " + preset.merge_size + " x " + preset.merge_size + " patches"));
    var w = r.windows;
    if (w) {
      rows.push(row("Attention windows (columns x rows)", "calc-windows", fmt(w.count),
        w.cols + " x " + w.rows + " windows of at most " + w.side + " x " + w.side + " merged tokens"));
      rows.push(row("Full windows", "calc-full", fmt(w.full), "windows holding " + w.side * w.side + " merged tokens"));
      rows.push(row("Smallest window", "calc-smallest", fmt(w.smallest), "merged tokens (" + w.lastW + " x " + w.lastH + ")"));
      rows.push(row("Window attention equals full attention?", "calc-equal", w.equals_full_attention ? "yes" : "no",
        w.equals_full_attention ? "the whole merged grid fits in one window, so every windowed layer sees every patch"
          : "patches in different windows do not attend to each other in the windowed layers"));
    } else {
      rows.push(row("Attention windows", "calc-windows", "none",
        preset.name + "'s vision encoder has no window attention: every layer attends over all patches"));
    }
    return "<table class=\"calc-results\"><tbody>" + rows.join("") + "</tbody></table>";
  }

  // The partition, drawn like chapter 3's figure: the resized image, its merged-token grid, and the
  // attention windows (full ones shaded, cut-off ones hatched).
  function drawing(input, preset, r, palette) {
    var W = r.resized[1], H = r.resized[0];
    var maxW = 640, maxH = 420;
    var k = Math.min(maxW / W, maxH / H);
    var dw = Math.max(12, W * k), dh = Math.max(12, H * k); // a 1:200 strip stays visible
    var pad = 6;
    var token = preset.patch_size * preset.merge_size; // pixels per merged token side
    var llmW = r.grid[1] / preset.merge_size, llmH = r.grid[0] / preset.merge_size;
    var parts = [];
    var w = r.windows;
    var drawn = { windows: false, tokens: false };
    parts.push("<defs><pattern id=\"calc-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" " +
      "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"" + palette[1] +
      "\" stroke-width=\"2\"/></pattern></defs>");
    if (w && w.count <= 2500) {
      drawn.windows = true;
      var side = w.side * token * k;
      for (var rr = 0; rr < w.rows; rr++) {
        for (var cc = 0; cc < w.cols; cc++) {
          var full = (rr < w.rows - 1 || w.lastH === w.side) && (cc < w.cols - 1 || w.lastW === w.side);
          var x = pad + cc * side, y = pad + rr * side;
          var ww = cc === w.cols - 1 ? dw - cc * side : side, hh = rr === w.rows - 1 ? dh - rr * side : side;
          parts.push("<rect class=\"calc-window " + (full ? "calc-window-full" : "calc-window-partial") + "\" x=\"" +
            x.toFixed(2) + "\" y=\"" + y.toFixed(2) + "\" width=\"" + ww.toFixed(2) + "\" height=\"" + hh.toFixed(2) +
            "\" fill=\"" + (full ? palette[5] : "url(#calc-hatch)") + "\" fill-opacity=\"" + (full ? 0.3 : 0.6) + "\"/>");
        }
      }
    } else if (!w) {
      parts.push("<rect x=\"" + pad + "\" y=\"" + pad + "\" width=\"" + dw.toFixed(2) + "\" height=\"" + dh.toFixed(2) +
        "\" fill=\"" + palette[5] + "\" fill-opacity=\"0.3\"/>");
    }
    var tokenPx = token * k;
    if (llmW <= 160 && llmH <= 160 && tokenPx >= 2.5) {
      drawn.tokens = true;
      var lines = [];
      for (var i = 1; i < llmW; i++) lines.push("M" + (pad + i * tokenPx).toFixed(2) + " " + pad + "v" + dh.toFixed(2));
      for (var j = 1; j < llmH; j++) lines.push("M" + pad + " " + (pad + j * tokenPx).toFixed(2) + "h" + dw.toFixed(2));
      if (lines.length) {
        parts.push("<path d=\"" + lines.join("") + "\" stroke=\"" + palette[7] + "\" stroke-width=\"0.6\" fill=\"none\"/>");
      }
    }
    if (drawn.windows) {
      var wl = [], s = w.side * token * k;
      for (var a = 1; a < w.cols; a++) wl.push("M" + (pad + a * s).toFixed(2) + " " + pad + "v" + dh.toFixed(2));
      for (var b = 1; b < w.rows; b++) wl.push("M" + pad + " " + (pad + b * s).toFixed(2) + "h" + dw.toFixed(2));
      if (wl.length) parts.push("<path d=\"" + wl.join("") + "\" stroke=\"" + palette[0] + "\" stroke-width=\"2.2\" fill=\"none\"/>");
    }
    parts.push("<rect x=\"" + pad + "\" y=\"" + pad + "\" width=\"" + dw.toFixed(2) + "\" height=\"" + dh.toFixed(2) +
      "\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\"/>");

    var alt = "The resized image, " + W + " by " + H + " pixels, as a " + llmW + " by " + llmH + " grid of merged tokens";
    alt += w ? (", split into " + w.count + " attention windows (" + w.cols + " by " + w.rows + "), " + w.full +
      " of them full") : ", attended to as a whole (no window attention)";
    alt += ".";
    var svg = "<svg role=\"img\" aria-label=\"" + escapeHtml(alt) + "\" xmlns=\"http://www.w3.org/2000/svg\" " +
      "width=\"" + (dw + 2 * pad).toFixed(0) + "\" height=\"" + (dh + 2 * pad).toFixed(0) + "\" viewBox=\"0 0 " +
      (dw + 2 * pad).toFixed(2) + " " + (dh + 2 * pad).toFixed(2) + "\"><title>" + escapeHtml(alt) + "</title>" +
      parts.join("") + "</svg>";
    var legend = [];
    if (w) {
      legend.push("<span class=\"calc-swatch\" style=\"background:" + palette[5] + "\"></span> full window (" +
        w.side + " x " + w.side + " merged tokens)");
      legend.push("<span class=\"calc-swatch calc-swatch-hatch\" style=\"border-color:" + palette[1] +
        "\"></span> cut-off window at the right or bottom edge");
      legend.push("<span class=\"calc-swatch calc-swatch-line\" style=\"background:" + palette[0] + "\"></span> window border");
    }
    if (drawn.tokens) {
      legend.push("<span class=\"calc-swatch calc-swatch-line\" style=\"background:" + palette[7] + "\"></span> one LLM token (" +
        token + " x " + token + " px)");
    }
    var notes = [];
    if (w && !drawn.windows) notes.push(fmt(w.count) + " windows are too many to draw one by one; the outline is to scale.");
    if (!drawn.tokens) notes.push("The token grid is too fine to draw at this size.");
    return "<figure class=\"handbook-figure calc-figure\">" + svg + "<figcaption>" + legend.join(" &nbsp; ") +
      (notes.length ? "<br>" + notes.join(" ") : "") + " Drawn to scale: the resized image is " + W + " x " + H +
      " px.</figcaption></figure>";
  }

  function render(root, data, state) {
    var preset = presetByKey(data, state.model) || presetByKey(data, data.default);
    var out = root.querySelector("#calc-output");
    var messages = root.querySelector("#calc-messages");
    var parsed = readInputs(state, preset);
    var notes = [];
    FIELDS.forEach(function (name) {
      var field = root.querySelector("#calc-" + name.replace("_", "-"));
      var bad = parsed.errors && parsed.errors.some(function (e) {
        return e.indexOf(name === "width" ? "Width" : name === "height" ? "Height" : name) === 0;
      });
      field.setAttribute("aria-invalid", bad ? "true" : "false");
    });
    if (parsed.errors) {
      messages.innerHTML = "<ul>" + parsed.errors.map(function (e) { return "<li>" + escapeHtml(e) + "</li>"; }).join("") + "</ul>";
      messages.className = "calc-messages calc-error";
      out.innerHTML = "<p class=\"calc-placeholder\">No result until the input above is fixed.</p>";
      return;
    }
    var input = parsed.input;
    var r = compute(input);
    if (r.error) {
      var what = r.error.indexOf("aspect ratio") >= 0
        ? "The image is too thin: its longer side is more than 200 times its shorter side. "
        : "";
      messages.innerHTML = "<ul><li>" + escapeHtml(what) + "transformers raises <code>" + escapeHtml(r.error) +
        "</code> for this input.</li></ul>";
      messages.className = "calc-messages calc-error";
      out.innerHTML = "<p class=\"calc-placeholder\">No result: the processor would raise.</p>";
      return;
    }
    if (input.min_pixels > input.max_pixels) {
      notes.push("min_pixels (" + fmt(input.min_pixels) + ") is above max_pixels (" + fmt(input.max_pixels) +
        "). transformers does not check this; the numbers below are what it does anyway.");
    }
    var pixels = r.resized[0] * r.resized[1];
    if (pixels > input.max_pixels) {
      notes.push("The resized image has " + fmt(pixels) + " pixels, more than max_pixels (" + fmt(input.max_pixels) +
        ")" + (r.branch === "enlarged" ? ": it was scaled up to reach min_pixels, which is above max_pixels."
          : ": no side goes below one resize factor (" + (input.patch_size * input.merge_size) + " px)."));
    } else if (pixels < input.min_pixels) {
      notes.push("The resized image has " + fmt(pixels) + " pixels, fewer than min_pixels (" + fmt(input.min_pixels) + ").");
    }
    messages.innerHTML = notes.length ? "<ul>" + notes.map(function (n) { return "<li>" + escapeHtml(n) + "</li>"; }).join("") + "</ul>" : "";
    messages.className = notes.length ? "calc-messages calc-warning" : "calc-messages";
    out.innerHTML = resultTable(input, preset, r) + drawing(input, preset, r, data.palette);
  }

  function mount(doc, win) {
    if (doc.readyState === "loading") {
      doc.addEventListener("DOMContentLoaded", function () { mount(doc, win); });
      return;
    }
    var root = doc.getElementById("qwen-calculator");
    var dataBlock = doc.getElementById("calculator-presets");
    if (!root || !dataBlock) return;
    var data = JSON.parse(dataBlock.textContent);
    var select = root.querySelector("#calc-model");
    select.innerHTML = data.presets.map(function (p) {
      return "<option value=\"" + escapeHtml(p.key) + "\">" + escapeHtml(p.name) + "</option>";
    }).join("");
    var inputs = {};
    FIELDS.forEach(function (name) { inputs[name] = root.querySelector("#calc-" + name.replace("_", "-")); });

    var query = new URLSearchParams(win.location.search);
    var start = presetByKey(data, query.get("model")) || presetByKey(data, data.default);
    select.value = start.key;
    inputs.width.value = query.has("width") ? query.get("width") : "476";
    inputs.height.value = query.has("height") ? query.get("height") : "476";
    inputs.min_pixels.value = query.has("min_pixels") ? query.get("min_pixels") : String(start.min_pixels);
    inputs.max_pixels.value = query.has("max_pixels") ? query.get("max_pixels") : String(start.max_pixels);

    function state() {
      var s = { model: select.value };
      FIELDS.forEach(function (name) { s[name] = inputs[name].value; });
      return s;
    }
    var pending = false;
    function update() {
      pending = false;
      var s = state();
      var params = new URLSearchParams();
      params.set("model", s.model);
      FIELDS.forEach(function (name) { params.set(name, s[name]); });
      win.history.replaceState(null, "", "?" + params.toString() + win.location.hash);
      render(root, data, s);
    }
    function schedule() {
      if (!pending) { pending = true; win.requestAnimationFrame(update); }
    }
    FIELDS.forEach(function (name) { inputs[name].addEventListener("input", schedule); });
    select.addEventListener("change", function () {
      var p = presetByKey(data, select.value);
      inputs.min_pixels.value = String(p.min_pixels);
      inputs.max_pixels.value = String(p.max_pixels);
      schedule();
    });
    root.querySelector("form").addEventListener("submit", function (e) { e.preventDefault(); });
    root.setAttribute("data-ready", "true");
    update();
  }

  return {
    MAX_SIDE: MAX_SIDE, MAX_PIXELS: MAX_PIXELS,
    roundHalfEven: roundHalfEven, pyFloatRepr: pyFloatRepr, smartResize: smartResize,
    windowLayout: windowLayout, windowSizes: windowSizes, compute: compute,
    parseField: parseField, readInputs: readInputs, mount: mount
  };
});
