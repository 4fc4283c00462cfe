package io.massmessage.relay.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each of {@link IdChars}' checks says what the regular expression it stands for says, on seeded random ids. */
class IdCharsTest {

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern ACCOUNT = Pattern.compile("acct_[A-Za-z0-9]+");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,19}");
    /** Mostly id characters, and the ones next to them in ASCII, a space, a non-ASCII letter and digit. */
    private static final String ALPHABET = "acct_ACCT-09azAZ/:@[`{ é٣\u0000";

    @Test
    void agreesWithTheProvidersPatternsOnRandomIds() {
        Random random = new Random(20261203L);
        int accounts = 0;
        int tokens = 0;
        int digits = 0;
        for (int n = 0; n < 200_000; n++) {
            String text = (random.nextInt(3) == 0 ? "acct_" : "") + randomText(random);
            assertThat(IdChars.isToken(text)).as("token %s", text).isEqualTo(TOKEN.matcher(text).matches());
            assertThat(IdChars.isPrefixedAlphanumeric(text, "acct_")).as("account %s", text)
                    .isEqualTo(ACCOUNT.matcher(text).matches());
            String number = random.nextBoolean() ? randomDigits(random) : text;
            assertThat(IdChars.isDigits(number, 19)).as("digits %s", number)
                    .isEqualTo(DIGITS.matcher(number).matches());
            accounts += ACCOUNT.matcher(text).matches() ? 1 : 0;
            tokens += TOKEN.matcher(text).matches() ? 1 : 0;
            digits += DIGITS.matcher(number).matches() ? 1 : 0;
        }
        // the generator reaches both answers of every check
        assertThat(accounts).isBetween(1_000, 199_000);
        assertThat(tokens).isBetween(1_000, 199_000);
        assertThat(digits).isBetween(1_000, 199_000);
    }

    @Test
    void edges() {
        assertThat(IdChars.isToken("")).isFalse();
        assertThat(IdChars.isPrefixedAlphanumeric("acct_", "acct_")).isFalse();
        assertThat(IdChars.isPrefixedAlphanumeric("acct_A1", "acct_")).isTrue();
        assertThat(IdChars.isPrefixedAlphanumeric("acct_A_1", "acct_")).isFalse();
        assertThat(IdChars.isDigits("1234567890123456789", 19)).isTrue();
        assertThat(IdChars.isDigits("12345678901234567890", 19)).isFalse();
        assertThat(IdChars.isDigits("", 19)).isFalse();
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(8);
        for (int i = 0; i < length; i++) {
            // three in four from the id characters, so that many texts are valid
            text.append(random.nextInt(4) > 0 ? "aZ09_-".charAt(random.nextInt(6))
                    : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return text.toString();
    }

    private static String randomDigits(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(22);
        for (int i = 0; i < length; i++) {
            text.append(random.nextInt(20) == 0 ? 'x' : (char) ('0' + random.nextInt(10)));
        }
        return text.toString();
    }
}
