# new_surv_data(): the sort order by counting equals R's radix order.

test_that("the counting sort of whole-number times gives order()'s permutation", {
  set.seed(5)
  for (i in 1:20) {
    n <- sample(c(1, 2, 50, 2000), 1)
    time <- sample(c(0, 3, 7, 8, 120, 365), n, TRUE) + sample(0:2, n, TRUE)
    status <- rbinom(n, 1, 0.6)
    s <- sample(1:3, n, TRUE)
    y <- survival::Surv(time, status)
    for (strata in list(NULL, s)) {
      sd <- new_surv_data(y, strata)
      ref <- if (is.null(strata)) order(time) else
        order(as.integer(factor(s)), time)
      expect_identical(sd$order + 1L, ref)
      # the same through the subset path (zero weights dropped) and in place
      w <- rep(1, n)
      if (n > 2) w[1:2] <- 0
      sd2 <- new_surv_data(y, strata, w, drop_zero_weight = TRUE)
      keep <- which(w > 0)
      ref2 <- if (is.null(strata)) order(time[keep]) else
        order(as.integer(factor(s[keep])), time[keep])
      expect_identical(sd2$order + 1L, ref2)
      sd3 <- new_surv_data(y, strata, in_place = TRUE)
      expect_identical(sd3$order, sd$order)
    }
  }
  # (start, stop] data: the stop column of the matrix, read in place
  start <- c(0, 0, 2, 1, 0)
  stop <- c(5, 3, 4, 3, 9)
  yc <- survival::Surv(start, stop, c(1, 0, 1, 1, 0))
  expect_identical(new_surv_data(yc, in_place = TRUE)$order + 1L,
                   order(stop))
  # fractional or widely spread times: the radix sort, same contract
  yf <- survival::Surv(c(2.5, 1, 3, 1), c(1, 1, 0, 1))
  expect_identical(new_surv_data(yf)$order + 1L, order(c(2.5, 1, 3, 1)))
  yw <- survival::Surv(c(1e9, 1, 5e8, 1), c(1, 1, 0, 1))
  expect_identical(new_surv_data(yw)$order + 1L, order(c(1e9, 1, 5e8, 1)))
})

test_that("the counting sort refuses keys out of range instead of writing past its counts", {
  expect_error(cpp_counting_order(c(1, 5), 0, c(0L, 0L), 1L, 1, 3))
  expect_error(cpp_counting_order(c(1, 2), 0, c(0L, 1L), 1L, 1, 3))
  expect_error(cpp_counting_order(c(1, 2), 1, c(0L, 0L), 1L, 1, 3))
  expect_identical(cpp_counting_order(c(3, 1, 2, 1), 0, c(1L, 0L, 0L, 1L),
                                      2L, 1, 3), c(1L, 2L, 3L, 0L))
})
