#' Format P values in journal style
#'
#' Turns P values into the strings clinical journals print: two significant
#' digits without a leading zero (".013", ".053", ".50"), at least two
#' decimals, and "< .0001" below the reporting threshold, as in the seed
#' paper ("HR, 0.47; 95% CI, 0.33 to 0.69; P < .0001").
#'
#' @param p Numeric vector of P values in \[0, 1\]; `NA` stays `NA`.
#' @param digits Number of significant digits shown, a whole number of at
#'   least 1.
#' @param threshold P values below this are shown as "< threshold"
#'   (".0001" by default); a number in (0, 1).
#' @param leading_zero If `TRUE`, keep the zero before the decimal point
#'   ("0.013"), as some journals (the Lancet, BMJ) ask; the default `FALSE`
#'   gives the JAMA / NEJM style ".013".
#' @param prefix If `TRUE`, prepend "P = " or "P < " (or "P > " for values
#'   that round to 1), so that the result reads as a sentence fragment.
#'
#' @details
#' A value is rounded to `digits` significant digits, then printed with at
#' least two decimals; zeros after the second decimal that come only from
#' the rounding are dropped, so 1e-4 prints as ".0001", 0.5 as ".50" and
#' 0.0012 as ".0012". A value that rounds to 1 is shown as "> .99".
#'
#' @returns A character vector the length of `p`.
#' @seealso [format_hr()] for hazard ratios with their confidence intervals.
#' @examples
#' format_p(c(0.013, 0.0531, 0.5, 0.00001, 1))
#' format_p(0.013, prefix = TRUE)
#' format_p(3e-5, prefix = TRUE)
#' format_p(0.013, leading_zero = TRUE)
#' @md
#' @export
format_p <- function(p, digits = 2, threshold = 1e-4, leading_zero = FALSE,
                     prefix = FALSE) {
  if (!(is.numeric(p) || all(is.na(p))) || is.object(p)) {
    cs_abort("`p` must be a numeric vector of P values.", arg = "p")
  }
  p <- as.double(p)
  bad <- !is.na(p) & (p < 0 | p > 1)
  if (any(bad)) {
    cs_abort("`p` must lie between 0 and 1; ", first_bad(p, bad), ".",
             arg = "p")
  }
  check_whole(digits, "digits", min = 1)
  if (!is.numeric(threshold) || length(threshold) != 1L ||
      is.na(threshold) || threshold <= 0 || threshold >= 1) {
    cs_abort("`threshold` must be a single number strictly between 0 and 1.",
             arg = "threshold")
  }
  check_flag(leading_zero, "leading_zero")
  check_flag(prefix, "prefix")
  thr <- format_decimal(threshold)
  one <- function(x) {
    if (is.na(x)) return(NA_character_)
    if (x < threshold) return(c("<", thr))
    r <- signif(x, digits)
    if (r >= 1) return(c(">", format_decimal(1 - 10^-max(2, digits))))
    c("=", format_decimal(r, min_decimals = 2L))
  }
  out <- vapply(p, function(x) {
    s <- one(x)
    if (anyNA(s)) return(NA_character_)
    num <- if (leading_zero) s[2L] else sub("^0\\.", ".", s[2L])
    if (prefix) paste("P", s[1L], num)
    else if (s[1L] == "=") num
    else paste(s[1L], num)
  }, character(1))
  unname(out)
}

# A positive number in fixed notation with at least `min_decimals`
# decimals and no trailing zeros beyond them (1e-4 -> "0.0001").
format_decimal <- function(x, min_decimals = 0L) {
  s <- formatC(x, format = "f", digits = 15L)
  s <- sub("0+$", "", s)
  dec <- nchar(sub("^[^.]*\\.?", "", s))
  if (dec < min_decimals) {
    s <- formatC(x, format = "f", digits = min_decimals)
  }
  sub("\\.$", "", s)
}

#' Format hazard ratios with confidence intervals
#'
#' Builds the strings of a results section or a forest plot:
#' "0.47 (0.33 to 0.69)", or in the seed paper's running-text style
#' "HR, 0.47; 95% CI, 0.33 to 0.69".
#'
#' @param hr Numeric vector of hazard ratios (or any ratio estimates).
#' @param lower,upper Numeric vectors of the confidence limits, recycled to
#'   the length of `hr`.
#' @param digits Number of decimals, a whole number from 0 to 6.
#' @param style `"paren"` for "0.47 (0.33 to 0.69)" (tables and forest
#'   plots) or `"text"` for "HR, 0.47; 95% CI, 0.33 to 0.69" (running
#'   text).
#' @param label The name of the estimate used by `style = "text"`, and
#'   prepended as "HR " in the `"paren"` style when `prefix = TRUE`.
#' @param conf_level The confidence level named by `style = "text"`.
#' @param prefix If `TRUE`, the `"paren"` style starts with `label` and a
#'   space: "HR 0.47 (0.33 to 0.69)".
#' @param sep The word between the two limits.
#' @returns A character vector the length of `hr`; `NA` where the estimate
#'   or a limit is missing. Infinite limits print as "Inf".
#' @seealso [format_p()].
#' @examples
#' format_hr(0.4712, 0.3301, 0.6921)
#' format_hr(0.4712, 0.3301, 0.6921, style = "text")
#' format_hr(c(0.47, 2.35), c(0.33, 1.65), c(0.69, 3.35), prefix = TRUE)
#' @md
#' @export
format_hr <- function(hr, lower, upper, digits = 2, style = c("paren", "text"),
                      label = "HR", conf_level = 0.95, prefix = FALSE,
                      sep = " to ") {
  for (nm in c("hr", "lower", "upper")) {
    v <- get(nm)
    if (!(is.numeric(v) || all(is.na(v))) || is.object(v)) {
      cs_abort("`", nm, "` must be a numeric vector.", arg = nm)
    }
  }
  n <- length(hr)
  if (!length(lower) %in% c(1L, n) || !length(upper) %in% c(1L, n)) {
    cs_abort("`lower` and `upper` must have length 1 or the length of `hr` (",
             n, ").", arg = "lower")
  }
  check_whole(digits, "digits", min = 0, max = 6)
  style <- arg_choice(style, "style", c("paren", "text"))
  check_probability(conf_level, "conf_level")
  check_flag(prefix, "prefix")
  if (!is.character(label) || length(label) != 1L || is.na(label)) {
    cs_abort("`label` must be a single string.", arg = "label")
  }
  lower <- rep_len(as.double(lower), n)
  upper <- rep_len(as.double(upper), n)
  hr <- as.double(hr)
  f <- function(x) formatC(x, format = "f", digits = digits)
  out <- if (style == "paren") {
    paste0(if (prefix) paste0(label, " "), f(hr), " (", f(lower), sep,
           f(upper), ")")
  } else {
    paste0(label, ", ", f(hr), "; ", format(100 * conf_level), "% CI, ",
           f(lower), sep, f(upper))
  }
  out[is.na(hr) | is.na(lower) | is.na(upper)] <- NA_character_
  out
}

check_whole <- function(x, arg, min = -Inf, max = Inf) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x != round(x) ||
      x < min || x > max) {
    cs_abort("`", arg, "` must be a single whole number",
             if (is.finite(min) && is.finite(max))
               paste0(" from ", min, " to ", max)
             else if (is.finite(min)) paste0(" of at least ", min), ".",
             arg = arg)
  }
  invisible(x)
}
