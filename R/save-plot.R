#' Save a base-graphics figure to a file
#'
#' Opens the graphics device that the file extension calls for, evaluates
#' the drawing code, and closes the device, even when the code fails. The
#' sizes are those of a journal figure (7 x 6 inches by default).
#'
#' @param expr Code that draws the figure, such as
#'   `plot(fit, times = seq(0, 135, 15))`; evaluated once, after the device
#'   is opened.
#' @param file Path of the file to write. The extension picks the device:
#'   `.pdf` ([grDevices::cairo_pdf()] when cairo is available, which embeds
#'   the fonts and handles symbols such as the less-than-or-equal sign,
#'   otherwise [grDevices::pdf()]), `.png`, `.svg`, `.tif`/`.tiff` (LZW
#'   compressed), `.jpg`/`.jpeg`.
#' @param width,height Size of the figure in inches.
#' @param res Resolution in pixels per inch of the bitmap formats (png,
#'   tiff, jpeg); journals usually ask for 300 or more.
#' @param pointsize Base font size in points.
#' @param device Optional device name overriding the extension: one of
#'   `"pdf"`, `"cairo_pdf"`, `"png"`, `"svg"`, `"tiff"`, `"jpeg"`.
#' @param ... Further arguments passed to the device function, such as
#'   `bg` or `family`.
#' @returns The value of `expr`, invisibly, with attribute `file` (the path
#'   written) and `device` (the device used).
#' @examples
#' library(survival)
#' fit <- km(Surv(time, status) ~ sex, data = lung)
#' f <- tempfile(fileext = ".png")
#' save_plot(plot(fit, xlab = "Days"), f, width = 7, height = 6)
#' file.exists(f)
#' @export
save_plot <- function(expr, file, width = 7, height = 6, res = 300,
                      pointsize = 12, device = NULL, ...) {
  if (!is.character(file) || length(file) != 1L || is.na(file) ||
      !nzchar(file)) {
    cs_abort("`file` must be a single file path.", arg = "file")
  }
  for (nm in c("width", "height", "res", "pointsize")) {
    v <- get(nm)
    if (!is.numeric(v) || length(v) != 1L || is.na(v) || !(v > 0) ||
        !is.finite(v)) {
      cs_abort("`", nm, "` must be a single positive number.", arg = nm)
    }
  }
  devices <- c("pdf", "cairo_pdf", "png", "svg", "tiff", "jpeg")
  if (is.null(device)) {
    ext <- tolower(sub("^.*\\.", "", basename(file)))
    if (!grepl(".", basename(file), fixed = TRUE)) ext <- ""
    device <- switch(ext,
      pdf = if (capabilities("cairo")) "cairo_pdf" else "pdf",
      png = "png", svg = "svg", tif = , tiff = "tiff", jpg = , jpeg = "jpeg",
      cs_abort("`file` must end in .pdf, .png, .svg, .tiff or .jpeg, or ",
               "`device` must name the device; the extension is \"", ext,
               "\".", arg = "file"))
  } else {
    device <- arg_choice(device, "device", devices)
  }
  if (device %in% c("cairo_pdf", "svg") && !capabilities("cairo")) {
    cs_abort("`device` \"", device, "\" needs R built with cairo support.",
             arg = "device")
  }
  dir <- dirname(file)
  if (!dir.exists(dir)) {
    cs_abort("`file`: the directory \"", dir, "\" does not exist.",
             arg = "file")
  }
  open_device(device, file, width, height, res, pointsize, ...)
  dev <- grDevices::dev.cur()
  on.exit(if (dev %in% grDevices::dev.list()) grDevices::dev.off(dev),
          add = TRUE)
  value <- expr
  grDevices::dev.off(dev)
  on.exit()
  if (!file.exists(file)) {
    cs_abort("`file`: the device did not write \"", file, "\".", arg = "file")
  }
  value <- if (is.null(value)) list() else value
  attr(value, "file") <- file
  attr(value, "device") <- device
  invisible(value)
}

open_device <- function(device, file, width, height, res, pointsize, ...) {
  switch(device,
    pdf = grDevices::pdf(file, width = width, height = height,
                         pointsize = pointsize, useDingbats = FALSE, ...),
    cairo_pdf = grDevices::cairo_pdf(file, width = width, height = height,
                                     pointsize = pointsize, ...),
    svg = grDevices::svg(file, width = width, height = height,
                         pointsize = pointsize, ...),
    png = grDevices::png(file, width = width, height = height, units = "in",
                         res = res, pointsize = pointsize, ...),
    tiff = grDevices::tiff(file, width = width, height = height, units = "in",
                           res = res, pointsize = pointsize,
                           compression = "lzw", ...),
    jpeg = grDevices::jpeg(file, width = width, height = height, units = "in",
                           res = res, pointsize = pointsize, quality = 95,
                           ...)
  )
  invisible()
}
