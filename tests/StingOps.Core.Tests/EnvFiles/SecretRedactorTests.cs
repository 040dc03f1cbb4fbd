using System.Diagnostics;
using StingOps.Core.EnvFiles;

namespace StingOps.Core.Tests.EnvFiles;

public class SecretRedactorTests
{
    [Fact]
    public void Replaces_every_occurrence()
    {
        var r = new SecretRedactor(["hunter2pass", "s3cr3t-token"]);
        Assert.Equal("a *** b *** c ***", r.Redact("a hunter2pass b s3cr3t-token c hunter2pass"));
    }

    [Fact]
    public void Longest_secret_wins_and_no_fragment_survives()
    {
        var r = new SecretRedactor(["abcd", "abcdefgh"]);
        Assert.Equal("x *** y", r.Redact("x abcdefgh y"));
        Assert.Equal("x ***ef y", new SecretRedactor(["abcd"]).Redact("x abcdef y"));
    }

    [Fact]
    public void Overlapping_and_adjacent_secrets_become_one_mask()
    {
        var r = new SecretRedactor(["abcdXY", "XYwxyz"]);
        Assert.Equal("[***]", r.Redact("[abcdXYwxyz]"));
        Assert.Equal("[***]", new SecretRedactor(["abcd", "wxyz"]).Redact("[abcdwxyz]"));
    }

    [Fact]
    public void Suffix_matches_are_found_through_failure_links()
    {
        // "bcde" is found inside a partial match of "abcdX".
        var r = new SecretRedactor(["abcdX", "bcde"]);
        Assert.Equal("a***", r.Redact("abcde"));
        Assert.Equal("zz***zz", r.Redact("zzabcdXzz"));
    }

    [Fact]
    public void Short_and_trivial_values_are_ignored()
    {
        var r = new SecretRedactor(["abc", "true", "FALSE", "8080", "1.5", "info", "production", "localhost", null, "", "realsecret"]);
        Assert.Equal(1, r.Count);
        Assert.Equal("abc true 8080 1.5 info production localhost ***", r.Redact("abc true 8080 1.5 info production localhost realsecret"));
    }

    [Fact]
    public void Long_numbers_are_not_trivial()
    {
        Assert.False(SecretRedactor.IsTrivialValue("12345678"));
        Assert.True(SecretRedactor.IsTrivialValue("5432"));
        Assert.True(SecretRedactor.IsTrivialValue("-1.25"));
        Assert.False(SecretRedactor.IsTrivialValue("1.2.3.4"));
    }

    [Fact]
    public void Trivial_filter_can_be_turned_off()
    {
        var r = new SecretRedactor(["8080"], ignoreTrivialValues: false);
        Assert.Equal("port ***", r.Redact("port 8080"));
    }

    [Fact]
    public void Multi_line_secrets_are_masked_line_by_line_too()
    {
        var r = new SecretRedactor(["-----BEGIN X-----\nMIIBIjANBgkqhkiG9w0B\n-----END X-----"]);
        Assert.Equal("log: *** here", r.Redact("log: MIIBIjANBgkqhkiG9w0B here"));
        Assert.Equal("***", r.Redact("-----BEGIN X-----\nMIIBIjANBgkqhkiG9w0B\n-----END X-----"));
        var crlf = new SecretRedactor(["line-one-secret\r\nline-two-secret"]);
        Assert.Equal("*** and ***", crlf.Redact("line-one-secret and line-two-secret"));
        Assert.Equal("***", crlf.Redact("line-one-secret\nline-two-secret"));
    }

    [Fact]
    public void Trivial_lines_of_a_multi_line_secret_are_not_masked_on_their_own()
    {
        var r = new SecretRedactor(["{\n  \"enabled\": true,\n  \"key\": \"Zq9xW7vK3p\"\n}\ntrue"], ignoreTrivialValues: false);
        Assert.Equal("flag true, key ***", r.Redact("flag true, key   \"key\": \"Zq9xW7vK3p\""));
    }

    [Fact]
    public void Escaped_dollars_are_also_masked_as_read_by_the_container()
    {
        var r = new SecretRedactor(["pa$$word99"]);
        Assert.Equal("*** ***", r.Redact("pa$$word99 pa$word99"));
    }

    [Fact]
    public void Text_without_secrets_is_returned_as_is()
    {
        var r = new SecretRedactor(["realsecret"]);
        const string text = "nothing to see";
        Assert.Same(text, r.Redact(text));
        Assert.Null(r.Redact(null));
        Assert.Equal("", r.Redact(""));
        Assert.Equal("x", SecretRedactor.Empty.Redact("x"));
    }

    [Fact]
    public void Is_case_sensitive()
    {
        Assert.Equal("RealSecret", new SecretRedactor(["realsecret"]).Redact("RealSecret"));
    }

    [Fact]
    public void FromEntries_keeps_secret_named_trivial_values_and_skips_other_trivial_ones()
    {
        var parsed = EnvFileParser.ParseText("DB_PASSWORD=12345\nPORT=12345\nDEBUG=true\nAPI_KEY=true\nNAME=service-one\nINHERITED\n", "a.env");
        var r = SecretRedactor.FromEntries(parsed.Entries);
        Assert.Equal("*** *** ***", r.Redact("12345 true service-one"));
        var nonSecret = SecretRedactor.FromEntries(parsed.Entries.Where(e => e.Key is "PORT" or "DEBUG"));
        Assert.Equal(0, nonSecret.Count);
    }

    [Theory]
    [InlineData("DB_PASSWORD", true)]
    [InlineData("password", true)]
    [InlineData("dbPassword", true)]
    [InlineData("MYSQL_ROOT_PASSWD", true)]
    [InlineData("JWT_SECRET", true)]
    [InlineData("GITHUB_TOKEN", true)]
    [InlineData("accessToken", true)]
    [InlineData("API_KEY", true)]
    [InlineData("apiKey", true)]
    [InlineData("AWS_SECRET_ACCESS_KEY", true)]
    [InlineData("GOOGLE_APPLICATION_CREDENTIALS", true)]
    [InlineData("SSH_PRIVATE_KEY_FILE", true)]
    [InlineData("REDIS_PASS", true)]
    [InlineData("KEY", true)]
    [InlineData("KEYBOARD_LAYOUT", false)]
    [InlineData("MONKEY", false)]
    [InlineData("DB_HOST", false)]
    [InlineData("PORT", false)]
    [InlineData("COMPASS_URL", false)]
    [InlineData("", false)]
    public void LooksSecretKey(string name, bool expected) => Assert.Equal(expected, SecretRedactor.LooksSecretKey(name));

    [Theory]
    [InlineData("DB_PASSWORD=hunter2 connecting", "DB_PASSWORD=*** connecting")]
    [InlineData("password: hunter2", "password: ***")]
    [InlineData("{\"password\":\"hun ter2\",\"user\":\"bob\"}", "{\"password\":\"***\",\"user\":\"bob\"}")]
    [InlineData("{'api_key': 'abc def'}", "{'api_key': '***'}")]
    [InlineData("run --password=hunter2 --user=bob", "run --password=*** --user=bob")]
    [InlineData("export JWT_SECRET='a b c'", "export JWT_SECRET='***'")]
    [InlineData("TOKEN=\"unterminated value here", "TOKEN=***")]
    [InlineData("opts=token=abc123 next", "opts=token=*** next")]
    [InlineData("user=bob host=db", "user=bob host=db")]
    [InlineData("KEYBOARD=us", "KEYBOARD=us")]
    [InlineData("Error: connection refused", "Error: connection refused")]
    [InlineData("postgres://app:p@ss:w0rd@db:5432/app", "postgres://app:***@db:5432/app")]
    [InlineData("https://example.com:8443/path", "https://example.com:8443/path")]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc", "Authorization: Bearer ***")]
    [InlineData("\"Authorization\": \"Basic dXNlcjpwYXNz\"", "\"Authorization\": \"Basic ***\"")]
    [InlineData("sent bearer abcdefgh12345678 to api", "sent bearer *** to api")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc\n-----END RSA PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----")]
    [InlineData("DB_PASSWORD=***", "DB_PASSWORD=***")]
    [InlineData("TOKEN=\nnext line", "TOKEN=\nnext line")]
    public void RedactKnownPatterns(string input, string expected) => Assert.Equal(expected, SecretRedactor.RedactKnownPatterns(input));

    [Fact]
    public void RedactAll_combines_both()
    {
        var r = new SecretRedactor(["Zq9xW7vK3p"]);
        Assert.Equal("value *** and API_KEY=***", r.RedactAll("value Zq9xW7vK3p and API_KEY=other123"));
    }

    [Fact]
    public void Agrees_with_a_naive_reference_on_random_input()
    {
        var random = new Random(7);
        for (var round = 0; round < 2000; round++)
        {
            string Word(int min, int max) => new(Enumerable.Range(0, random.Next(min, max)).Select(_ => "abc"[random.Next(3)]).ToArray());
            var secrets = Enumerable.Range(0, random.Next(1, 6)).Select(_ => Word(4, 8)).ToList();
            var text = Word(0, 40);
            var expected = NaiveRedact(text, secrets);
            Assert.Equal(expected, new SecretRedactor(secrets, ignoreTrivialValues: false).Redact(text));
        }
    }

    private static string NaiveRedact(string text, IEnumerable<string> secrets)
    {
        var covered = new bool[text.Length];
        foreach (var s in secrets)
            for (var at = text.IndexOf(s, StringComparison.Ordinal); at >= 0; at = text.IndexOf(s, at + 1, StringComparison.Ordinal))
                for (var k = at; k < at + s.Length; k++)
                    covered[k] = true;
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (!covered[i])
                sb.Append(text[i]);
            else if (i == 0 || !covered[i - 1])
                sb.Append(SecretRedactor.Mask);
        }
        return sb.ToString();
    }

    [Fact]
    public void Many_secrets_over_a_large_text_stay_fast()
    {
        var secrets = Enumerable.Range(0, 5000).Select(i => $"secret-{i:D5}-{Guid.NewGuid():N}").ToList();
        var r = new SecretRedactor(secrets);
        Assert.Equal(5000, r.Count);
        var text = string.Concat(Enumerable.Range(0, 20000).Select(i => i % 1000 == 0 ? $"line {i} leaked {secrets[i % 5000]}\n" : $"line {i} ordinary log output, nothing secret\n"));
        var sw = Stopwatch.StartNew();
        var redacted = r.Redact(text);
        sw.Stop();
        Assert.DoesNotContain("secret-", redacted);
        Assert.Equal(20, redacted.Split("***").Length - 1);
        // One pass over ~1 MB with 5000 secrets takes tens of milliseconds on an idle machine; the bound is loose so
        // that a heavily loaded build machine does not fail it.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"took {sw.Elapsed}");
    }
}
