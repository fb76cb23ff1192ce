# Rendering of the package's tables (baseline_table(), hr_report(),
# subgroup_hr()) to text, markdown, HTML, LaTeX and Word.
#
# A table is described once, as a list:
#   head   column headings (the first is the label column's)
#   body   rows, each a list(label, indent, bold, cells, marks): `cells`
#          the strings of the columns after the label, `marks` the
#          footnote letters to set as superscripts after them ("" for none)
#   note   the footnote, one string (or NULL)
# and each render_*() lays it out in one format.

table_formats <- c("markdown", "html", "latex", "csv", "docx")

# The `format` of format_table(): markdown by default; "text" is print()'s.
table_format_arg <- function(format, text = FALSE) {
  if (identical(format, table_formats)) return("markdown")
  arg_choice(format, "format", c(table_formats, if (text) "text"))
}

# Render `tab` in `format` ("text" too); `docx` needs `file`.
render_table <- function(tab, format, file = NULL, superscript = "pandoc") {
  if (format == "docx") return(render_docx(tab, file))
  text <- switch(format,
    text = render_text(tab),
    markdown = render_markdown(tab, superscript),
    html = render_html(tab),
    latex = render_latex(tab)
  )
  emit(text, file)
}

table_row <- function(label, cells, marks = rep("", length(cells)),
                      indent = FALSE, bold = !indent, label_mark = "") {
  marks[is.na(marks)] <- ""
  cells[is.na(cells)] <- ""
  list(label = label, indent = indent, bold = bold, cells = unname(cells),
       marks = unname(marks), label_mark = label_mark)
}

# A row's label with its footnote mark set by `sup`.
marked_label <- function(r, label, sup) {
  if (is.null(r$label_mark) || !nzchar(r$label_mark)) label else
    paste0(label, sup(r$label_mark))
}

csv_text <- function(df) {
  lines <- utils::capture.output(utils::write.csv(df, row.names = FALSE,
                                                  na = ""))
  paste0(paste(lines, collapse = "\n"), "\n")
}

emit <- function(text, file) {
  if (is.null(file)) return(text)
  check_file(file)
  con <- file(file, open = "w", encoding = "UTF-8")
  on.exit(close(con))
  writeLines(text, con, sep = "")
  invisible(text)
}

check_file <- function(file) {
  if (!is.character(file) || length(file) != 1L || is.na(file)) {
    cs_abort("`file` must be a single file path.", arg = "file")
  }
  invisible(file)
}

tolower_first <- function(s) {
  paste0(tolower(substr(s, 1L, 1L)), substr(s, 2L, nchar(s)))
}

# The cells of a row with their marks set by `sup`.
marked_cells <- function(r, sup) {
  ifelse(nzchar(r$marks), paste0(r$cells, sup(r$marks)), r$cells)
}

render_text <- function(tab, width = 80L) {
  m <- do.call(rbind, lapply(tab$body, function(r) {
    c(paste0(if (r$indent) "  ", marked_label(r, r$label,
                                              function(m) paste0(" ", m))),
      marked_cells(r, function(m) paste0(" ", m)))
  }))
  m <- rbind(tab$head, m)
  w <- apply(m, 2L, function(col) max(nchar(col, type = "width")))
  # a long label column is wrapped no narrower than 16 characters so that
  # the table fits `width` columns
  room <- width - sum(w[-1L]) - 2L * (length(w) - 1L)
  if (w[1L] > room) w[1L] <- max(16L, room)
  pad <- function(s, width, left) {
    sp <- strrep(" ", pmax(0L, width - nchar(s, type = "width")))
    if (left) paste0(s, sp) else paste0(sp, s)
  }
  lines <- unlist(lapply(seq_len(nrow(m)), function(i) {
    r <- m[i, ]
    lab <- strwrap(r[1L], width = w[1L] + 1L,
                   prefix = if (startsWith(r[1L], "  ")) "  " else "")
    if (!length(lab)) lab <- ""
    if (startsWith(r[1L], "  ")) lab[1L] <- paste0("  ", sub("^ +", "", lab[1L]))
    first <- paste(c(pad(lab[1L], w[1L], TRUE),
                     vapply(seq_along(r)[-1L], function(j) pad(r[j], w[j], FALSE),
                            character(1))), collapse = "  ")
    c(first, if (length(lab) > 1L) paste0("  ", lab[-1L]))
  }))
  rule <- strrep("-", min(width, nchar(lines[1L], type = "width")))
  n_head <- 1L
  out <- c(lines[seq_len(n_head)], rule, lines[-seq_len(n_head)], rule)
  if (!is.null(tab$note)) out <- c(out, strwrap(tab$note, width = width - 1L))
  paste0(paste(out, collapse = "\n"), "\n")
}

md_escape <- function(s, superscript = "html") {
  s <- gsub("|", "\\|", s, fixed = TRUE)
  if (superscript == "pandoc") {
    s <- gsub("([\\^~*_])", "\\\\\\1", s)
  }
  s
}

# Markdown pipe table. Footnote marks are pandoc superscripts (`^a^`), which
# pandoc keeps in every output (Word included), or HTML `<sup>` tags for
# renderers that read raw HTML only (GitHub).
render_markdown <- function(tab, superscript = "pandoc") {
  sup <- if (superscript == "pandoc") function(m) paste0("^", m, "^") else
    function(m) paste0("<sup>", m, "</sup>")
  esc <- function(s) md_escape(s, superscript)
  line <- function(cells) paste0("| ", paste(cells, collapse = " | "), " |")
  head <- tab$head
  out <- c(line(esc(head)), line(c(":--", rep("--:", length(head) - 1L))))
  for (r in tab$body) {
    lab <- esc(r$label)
    if (r$indent) lab <- paste0("&nbsp;&nbsp;&nbsp;&nbsp;", lab)
    if (r$bold && nzchar(lab)) lab <- paste0("**", lab, "**")
    lab <- marked_label(r, lab, sup)
    cells <- esc(r$cells)
    cells <- ifelse(nzchar(r$marks), paste0(cells, sup(r$marks)), cells)
    out <- c(out, line(c(lab, cells)))
  }
  if (!is.null(tab$note)) out <- c(out, "", esc(tab$note))
  paste0(paste(out, collapse = "\n"), "\n")
}

html_escape <- function(s) {
  s <- gsub("&", "&amp;", s, fixed = TRUE)
  s <- gsub("<", "&lt;", s, fixed = TRUE)
  gsub(">", "&gt;", s, fixed = TRUE)
}

render_html <- function(tab) {
  head <- tab$head
  th <- paste0("<th>", html_escape(head), "</th>", collapse = "")
  out <- c("<table>", "<thead>", paste0("<tr>", th, "</tr>"), "</thead>",
           "<tbody>")
  for (r in tab$body) {
    style <- if (r$indent) " style=\"padding-left:1.5em\"" else ""
    lab <- html_escape(r$label)
    if (r$bold && nzchar(lab)) lab <- paste0("<strong>", lab, "</strong>")
    lab <- marked_label(r, lab, function(m) paste0("<sup>", m, "</sup>"))
    cells <- html_escape(r$cells)
    cells <- ifelse(nzchar(r$marks),
                    paste0(cells, "<sup>", html_escape(r$marks), "</sup>"),
                    cells)
    out <- c(out, paste0("<tr><td", style, ">", lab, "</td>",
                         paste0("<td>", cells, "</td>", collapse = ""),
                         "</tr>"))
  }
  out <- c(out, "</tbody>")
  if (!is.null(tab$note)) {
    out <- c(out, paste0("<tfoot><tr><td colspan=\"", length(head), "\">",
                         html_escape(tab$note), "</td></tr></tfoot>"))
  }
  out <- c(out, "</table>")
  paste0(paste(out, collapse = "\n"), "\n")
}

latex_escape <- function(s) {
  s <- gsub("\\", "\003", s, fixed = TRUE)
  s <- gsub("([&%$#_{}])", "\\\\\\1", s)
  s <- gsub("\003", "\\textbackslash{}", s, fixed = TRUE)
  s <- gsub("~", "\\textasciitilde{}", s, fixed = TRUE)
  s <- gsub("^", "\\textasciicircum{}", s, fixed = TRUE)
  s <- gsub("\u00b1", "$\\pm$", s, fixed = TRUE)
  s <- gsub("\u2264", "$\\le$", s, fixed = TRUE)
  s <- gsub("\u2265", "$\\ge$", s, fixed = TRUE)
  s <- gsub("<", "$<$", s, fixed = TRUE)
  gsub(">", "$>$", s, fixed = TRUE)
}

render_latex <- function(tab) {
  head <- tab$head
  ncol <- length(head)
  out <- c(paste0("\\begin{tabular}{l", strrep("r", ncol - 1L), "}"),
           "\\hline",
           paste0(paste(latex_escape(head), collapse = " & "), " \\\\"),
           "\\hline")
  for (r in tab$body) {
    lab <- latex_escape(r$label)
    if (r$bold && nzchar(lab)) lab <- paste0("\\textbf{", lab, "}")
    lab <- if (r$indent) paste0("\\quad ", lab) else lab
    lab <- marked_label(r, lab, function(m) paste0("$^{", m, "}$"))
    cells <- latex_escape(r$cells)
    cells <- ifelse(nzchar(r$marks),
                    paste0(cells, "$^{", latex_escape(r$marks), "}$"), cells)
    out <- c(out, paste0(paste(c(lab, cells), collapse = " & "), " \\\\"))
  }
  out <- c(out, "\\hline")
  if (!is.null(tab$note)) {
    out <- c(out, paste0("\\multicolumn{", ncol, "}{p{0.9\\linewidth}}{",
                         "\\footnotesize ", latex_escape(tab$note), "} \\\\"))
  }
  out <- c(out, "\\end{tabular}")
  paste0(paste(out, collapse = "\n"), "\n")
}

# Word (.docx) through flextable (and officer, which it uses): bold
# variable rows, indented levels, footnote letters as true superscripts,
# the footnote in the table's footer. Writes `file`; returns its path
# invisibly.
render_docx <- function(tab, file) {
  if (is.null(file)) {
    cs_abort("`file` is needed to write a Word (.docx) table.", arg = "file")
  }
  check_file(file)
  if (!requireNamespace("flextable", quietly = TRUE) ||
      !requireNamespace("officer", quietly = TRUE)) {
    cs_abort("writing Word tables needs the suggested packages flextable ",
             "and officer; install them (Debian: r-cran-flextable).",
             arg = "format")
  }
  head <- tab$head
  rows <- lapply(tab$body, function(r) c(r$label, r$cells))
  df <- as.data.frame(do.call(rbind, rows), stringsAsFactors = FALSE)
  keys <- paste0("c", seq_along(head))
  names(df) <- keys
  ft <- flextable::flextable(df)
  ft <- flextable::set_header_labels(ft, values = stats::setNames(
    as.list(head), keys))
  for (i in seq_along(tab$body)) {
    r <- tab$body[[i]]
    for (j in which(nzchar(r$marks))) {
      ft <- flextable::compose(
        ft, i = i, j = j + 1L, part = "body",
        value = flextable::as_paragraph(
          flextable::as_chunk(r$cells[j]),
          flextable::as_sup(r$marks[j])))
    }
  }
  for (i in seq_along(tab$body)) {
    r <- tab$body[[i]]
    if (!is.null(r$label_mark) && nzchar(r$label_mark)) {
      ft <- flextable::compose(
        ft, i = i, j = 1L, part = "body",
        value = flextable::as_paragraph(flextable::as_chunk(r$label),
                                        flextable::as_sup(r$label_mark)))
    }
  }
  indent <- which(vapply(tab$body, `[[`, logical(1), "indent"))
  bold <- which(vapply(tab$body, `[[`, logical(1), "bold"))
  if (length(indent)) {
    ft <- flextable::padding(ft, i = indent, j = 1L, padding.left = 18,
                             part = "body")
  }
  if (length(bold)) ft <- flextable::bold(ft, i = bold, j = 1L, part = "body")
  ft <- flextable::bold(ft, part = "header")
  ft <- flextable::align(ft, j = seq_along(head)[-1L], align = "right",
                         part = "all")
  if (!is.null(tab$note)) ft <- flextable::add_footer_lines(ft, tab$note)
  ft <- flextable::fontsize(ft, size = 9, part = "all")
  ft <- flextable::autofit(ft)
  flextable::save_as_docx(ft, path = file)
  invisible(file)
}
