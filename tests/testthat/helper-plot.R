# Read back what a base-graphics plot drew, from the device's display list.

# Draw `expr` on a null pdf device and return its display list entries as a
# list of list(fun = "C_mtext", args = list(...)).
drawn_calls <- function(expr, width = 7, height = 6) {
  grDevices::pdf(NULL, width = width, height = height)
  on.exit(grDevices::dev.off())
  grDevices::dev.control("enable")
  value <- force(expr)
  dl <- grDevices::recordPlot()[[1]]
  calls <- lapply(dl, function(e) {
    list(fun = e[[2]][[1]]$name, args = as.list(e[[2]])[-1])
  })
  attr(calls, "value") <- value
  calls
}

# The mtext() calls: text, side, line, at, col, one row per string.
drawn_mtext <- function(calls) {
  mt <- Filter(function(e) identical(e$fun, "C_mtext"), calls)
  do.call(rbind, lapply(mt, function(e) {
    a <- e$args
    n <- length(a[[1]])
    data.frame(text = as.character(a[[1]]), side = rep_len(a[[2]], n),
               line = rep_len(a[[3]], n), at = rep_len(as.numeric(a[[5]]), n),
               col = rep_len(as.character(a[[9]]), n),
               stringsAsFactors = FALSE)
  }))
}

# The strings drawn by text() (legend entries, annotations, forest labels).
drawn_text <- function(calls) {
  tx <- Filter(function(e) identical(e$fun, "C_text"), calls)
  unlist(lapply(tx, function(e) as.character(e$args[[2]])))
}
