# save_plot(): the extension picks the device; the device is always closed.

test_that("save_plot() writes pdf, png, svg, tiff and jpeg files", {
  fit <- km(Surv(time, status) ~ sex, data = lung)
  magic <- list(pdf = "%PDF", png = "\x89PNG", svg = "<?xml",
                tiff = "II*", jpeg = "\xff\xd8\xff")
  devs <- c(pdf = if (capabilities("cairo")) "cairo_pdf" else "pdf",
            png = "png", svg = "svg", tiff = "tiff", jpeg = "jpeg")
  before <- dev.list()
  for (ext in names(magic)) {
    if (ext == "svg" && !capabilities("cairo")) next
    f <- tempfile(fileext = paste0(".", ext))
    expect_silent(res <- save_plot(plot(fit, times = seq(0, 900, 180)), f,
                                   width = 7, height = 6, res = 100))
    expect_true(file.exists(f))
    bytes <- readBin(f, "raw", 8)
    expect_identical(bytes[seq_len(nchar(magic[[ext]], "bytes"))],
                     charToRaw(magic[[ext]]), label = ext)
    expect_identical(attr(res, "device"), devs[[ext]])
    expect_identical(attr(res, "file"), f)
    # the value of the drawing code comes back: here the risk table
    expect_identical(res$n_risk, summary(fit, times = seq(0, 900, 180))$n_risk)
  }
  expect_identical(dev.list(), before)
  # png size in pixels follows width, height and res
  f <- tempfile(fileext = ".png")
  save_plot(plot(fit), f, width = 7, height = 6, res = 50)
  hdr <- readBin(f, "raw", 24)
  dims <- c(sum(as.integer(hdr[17:20]) * 256^(3:0)),
            sum(as.integer(hdr[21:24]) * 256^(3:0)))
  expect_identical(dims, c(350, 300))
  # device = overrides the extension
  f <- tempfile(fileext = ".pdf")
  expect_identical(attr(save_plot(plot(fit), f, device = "pdf"), "device"),
                   "pdf")
  expect_identical(rawToChar(readBin(f, "raw", 4)), "%PDF")
})

test_that("save_plot() closes its device when the drawing code fails", {
  before <- dev.list()
  f <- tempfile(fileext = ".png")
  expect_error(save_plot(stop("boom"), f), "boom")
  expect_identical(dev.list(), before)
})

test_that("save_plot() errors name the argument", {
  expect_error(save_plot(plot(1), "fig.doc"), "`file` must end in .pdf, .png.*\"doc\"",
               class = "cohortsurv_error")
  expect_error(save_plot(plot(1), "fig"), "the extension is \"\"",
               class = "cohortsurv_error")
  expect_error(save_plot(plot(1), c("a.png", "b.png")), "`file` must be a single file path",
               class = "cohortsurv_error")
  expect_error(save_plot(plot(1), file.path(tempdir(), "no-such-dir", "a.png")),
               "the directory .* does not exist", class = "cohortsurv_error")
  expect_error(save_plot(plot(1), tempfile(fileext = ".png"), width = -1),
               "`width` must be a single positive number", class = "cohortsurv_error")
  expect_error(save_plot(plot(1), tempfile(fileext = ".png"), device = "bmp"),
               "`device` must be one of", class = "cohortsurv_error")
})
