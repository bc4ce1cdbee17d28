"""What the bills say: the month so far the budget rules use, and the spend gathered from
the cost store. Reads only; below the commands, the digest and the jobs that share it."""
