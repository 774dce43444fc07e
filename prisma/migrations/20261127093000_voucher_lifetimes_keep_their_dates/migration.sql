-- A voucher's dates are fixed at issue, so its lifetime no longer needs to be told of the redemption: it asks
-- the database when its timers fire. Lifetimes already running still wait for that word, so the vouchers they
-- watch (every row existing now) keep getting it; vouchers issued from now on do not.
ALTER TABLE "vouchers" ADD COLUMN "lifetime_needs_word" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "vouchers" ALTER COLUMN "lifetime_needs_word" SET DEFAULT false;
