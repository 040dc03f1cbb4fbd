using System.Text;
using StingOps.Core.EnvFiles;

namespace StingOps.Core.Tests.EnvFiles;

public class EnvFileParserTests
{
    private const string P = "test.env";

    private static EnvFileParseResult Parse(string text) => EnvFileParser.ParseText(text, P);

    // ------------------------------------------------------------------ valid inputs

    /// <summary>Expected entries as "KEY|line|value" (value after the second '|', may contain '|').</summary>
    public static TheoryData<string, string, string[]> ValidInputs() => new()
    {
        { "plain", "A=1\nB=two\n", ["A|1|1", "B|2|two"] },
        { "spaces around =", "A = 1\nB= x\nC =y\n  D=indented\n\tE=tab", ["A|1|1", "B|2|x", "C|3|y", "D|4|indented", "E|5|tab"] },
        { "export prefix", "export A=2\n  export\tB=3\nexportC=4\nexport=5\nexport_D=6\n", ["A|1|2", "B|2|3", "exportC|3|4", "export|4|5", "export_D|5|6"] },
        { "empty values", "A=\nB=\"\"\nC=''\nD= \n", ["A|1|", "B|2|", "C|3|", "D|4|"] },
        { "single quotes are literal", "A='$HOME \\n # not a comment'\nB='Let\\'s go'\nC='a\\\\b'", ["A|1|$HOME \\n # not a comment", "B|2|Let's go", "C|3|a\\\\b"] },
        { "double-quote escapes", "A=\"l1\\nl2\\t\\\"q\\\" \\\\ end\"\nB=\"\\0123\"\nC=\"\\$HOME\"\nD=\"\\x07\"\nE=\"a\\\\\"", ["A|1|l1\nl2\t\"q\" \\ end", "B|2|S", "C|3|$$HOME", "D|4|\\x07", "E|5|a\\"] },
        { "multi-line double-quoted", "CERT=\"-----BEGIN\nabc def\n-----END\"\nNEXT=1\n", ["CERT|1|-----BEGIN\nabc def\n-----END", "NEXT|4|1"] },
        { "multi-line single-quoted", "A='first\nsecond'\nB=2", ["A|1|first\nsecond", "B|3|2"] },
        { "inline comments", "A=value # comment\nB=val#ue\nC=\"x # y\" # c\nD='z'#c\nE=w\t# tab is not a comment start\nF= #value", ["A|1|value", "B|2|val#ue", "C|3|x # y", "D|4|z", "E|5|w\t# tab is not a comment start", "F|6|#value"] },
        { "comments and blank lines", "# heading\n\n   # indented comment\nA=1\n\n\t\n# trailing\n", ["A|4|1"] },
        { "CRLF", "A=1\r\nB=\"x\"\r\n# c\r\nC='y z'\r\nD=spaced   \r\n", ["A|1|1", "B|2|x", "C|4|y z", "D|5|spaced"] },
        { "CRLF multi-line keeps CR as compose does", "A=\"l1\r\nl2\"\r\nB=2\r\n", ["A|1|l1\r\nl2", "B|3|2"] },
        { "BOM", "\uFEFFA=1\nB=2", ["A|1|1", "B|2|2"] },
        { "YAML style", "A: 1\nB: x=y\nC:z", ["A|1|1", "B|2|x=y", "C|3|z"] },
        { "separators inside values", "URL=postgres://u@h:5432/db?sslmode=disable\nX=a=b=c\nY=1:B", ["URL|1|postgres://u@h:5432/db?sslmode=disable", "X|2|a=b=c", "Y|3|1:B"] },
        { "names with dots and dashes", "VAR.WITH.DOTS=1\nVAR-DASH=2\n_lead=3\nlower_case=4", ["VAR.WITH.DOTS|1|1", "VAR-DASH|2|2", "_lead|3|3", "lower_case|4|4"] },
        { "unquoted keeps backslashes and inner quotes", "A=a\\tb\nB=it's\nC=say \"hi\"", ["A|1|a\\tb", "B|2|it's", "C|3|say \"hi\""] },
        { "quoted then comment directly", "A=\"bar#baz\"#\nB=\"q\"   # spaced comment", ["A|1|bar#baz", "B|2|q"] },
        { "no trailing newline", "A=1\nB=\"two\"", ["A|1|1", "B|2|two"] },
        { "unicode value", "A=árvíztűrő tükörfúrógép\nB=\"日本語\"", ["A|1|árvíztűrő tükörfúrógép", "B|2|日本語"] },
    };

    [Theory]
    [MemberData(nameof(ValidInputs))]
    public void Valid_input_parses_without_findings(string name, string text, string[] expected)
    {
        var result = Parse(text);
        Assert.True(result.Findings.Count == 0, $"{name}: unexpected findings: {string.Join(" | ", result.Findings)}");
        Assert.True(result.Complete);
        var actual = result.Entries.Select(e => $"{e.Key}|{e.Line}|{e.Value}").ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Multi_line_value_records_start_and_end_line_and_style()
    {
        var r = Parse("# c\nCERT=\"a\nb\nc\"\nB='x'\nC=y\n");
        Assert.Equal(("CERT", 2, 4, EnvValueStyle.DoubleQuoted), (r.Entries[0].Key, r.Entries[0].Line, r.Entries[0].EndLine, r.Entries[0].Style));
        Assert.Equal(EnvValueStyle.SingleQuoted, r.Entries[1].Style);
        Assert.Equal(EnvValueStyle.Unquoted, r.Entries[2].Style);
        Assert.Equal(6, r.Entries[2].Line);
    }

    [Fact]
    public void Bare_name_is_inherited_and_noted()
    {
        var r = Parse("A\nexport B\nC=1\n");
        Assert.Equal(["A", "B", "C"], r.Entries.Select(e => e.Key));
        Assert.True(r.Entries[0].IsInherited);
        Assert.Null(r.Entries[0].Value);
        Assert.Equal(EnvValueStyle.Inherited, r.Entries[1].Style);
        Assert.Equal([(1, EnvFileProblem.InheritedKey), (2, EnvFileProblem.InheritedKey)], r.Findings.Select(f => (f.Line, f.Code)));
        Assert.All(r.Findings, f => Assert.Equal(EnvFileSeverity.Information, f.Severity));
        Assert.False(r.HasErrors);
    }

    [Fact]
    public void ToDictionary_keeps_the_last_definition()
    {
        var r = Parse("A=1\nB\nA=2\n");
        var d = r.ToDictionary();
        Assert.Equal("2", d["A"]);
        Assert.Null(d["B"]);
    }

    [Fact]
    public void Crlf_and_lf_files_give_the_same_entries()
    {
        const string lf = "# c\nA=1\nB=\"two\" # c\nexport C='3'\n\nD=4\n";
        var a = Parse(lf);
        var b = Parse(lf.Replace("\n", "\r\n"));
        Assert.Empty(b.Findings);
        Assert.Equal(a.Entries, b.Entries);
    }

    [Fact]
    public void Utf8_bom_is_skipped_when_reading_bytes()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("A=1\r\nB=2\r\n")).ToArray();
        var r = EnvFileParser.ParseBytes(bytes, P);
        Assert.Empty(r.Findings);
        Assert.Equal(["A", "B"], r.Entries.Select(e => e.Key));
    }

    [Fact]
    public void Escape_expansion_follows_compose()
    {
        // compose-go's test: KEY="Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\Z\0123Z"
        var r = Parse("KEY=\"Z\\aZ\\bZ\\fZ\\nZ\\rZ\\tZ\\vZ\\\\Z\\0123Z\"");
        Assert.Equal("Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\ZSZ", r.Entries[0].Value);
        Assert.Equal("bar\n\\ b\az", Parse("FOO=\"bar\\n\\ b\\az\"").Entries[0].Value);
        Assert.Equal("bar\\\n\\ b\az", Parse("FOO=\"bar\\\\\\n\\ b\\az\"").Entries[0].Value);
        Assert.Equal("\\u12e4", Parse("K=\"\\u12e4\"").Entries[0].Value);
    }

    // ------------------------------------------------------------------ broken inputs

    /// <summary>Expected findings as "line:Code" or "line:Code:Key".</summary>
    public static TheoryData<string, string, string[]> BrokenInputs() => new()
    {
        { "prose line", "this is not an assignment\n", ["1:NotAnAssignment"] },
        { "prose after valid", "A=1\nhello world\n", ["2:NotAnAssignment"] },
        { "shell-ish junk", "lol$wut\n", ["1:NotAnAssignment"] },
        { "export alone", "export \nA=1\n", ["1:NotAnAssignment"] },
        { "export alone without space", "A=1\nexport\n", ["2:NotAnAssignment"] },
        { "ini section header", "[section]\nA=1\n", ["1:NotAnAssignment"] },
        { "bare name with comment", "FOO # note\n", ["1:NotAnAssignment"] },
        { "PEM line unquoted", "A=1\n-----BEGIN PRIVATE KEY-----\n", ["2:NotAnAssignment"] },
        { "dollar in name", "A$B=x\n", ["1:InvalidKey"] },
        { "space in name", "MY KEY=x\n", ["1:InvalidKey"] },
        { "empty name", "=value\n", ["1:InvalidKey"] },
        { "export with empty name", "export =1\n", ["1:InvalidKey"] },
        { "quoted name", "A=x\n\"B\"=1\n", ["2:InvalidKey"] },
        { "hash in name", "FOO#=1\n", ["1:InvalidKey"] },
        { "leading digit", "1A=x\n", ["1:NonPortableKey"] },
        { "brackets", "a[1]=c\n", ["1:NonPortableKey"] },
        { "non-ASCII letters", "ÁRVÍZ=1\n", ["1:NonPortableKey"] },
        { "unterminated double", "A=\"unterminated\n", ["1:UnterminatedQuote:A"] },
        { "unterminated single", "A='unterminated", ["1:UnterminatedQuote:A"] },
        { "unterminated runs to EOF", "A=1\nB=\"open\nC=3\nD=4\n", ["2:UnterminatedQuote:B"] },
        { "quote closed by a later value's quote", "A=\"x\nB=\"y\"\nC=1\n", ["1:UnterminatedQuote:A"] },
        { "escaped closing quote", "A=\"value\\\"", ["1:UnterminatedQuote:A"] },
        { "duplicate", "A=1\nA=2\n", ["2:DuplicateKey:A"] },
        { "triple", "A=1\nB=2\nA=3\nexport A=4\n", ["3:DuplicateKey:A", "4:DuplicateKey:A"] },
        { "duplicate via bare name", "A=1\nA\n", ["2:InheritedKey:A", "2:DuplicateKey:A"] },
        { "text after closing quote", "A=\"x\" trailing\n", ["1:TrailingContent:A"] },
        { "assignment glued to quote", "A='x'B=2\n", ["1:TrailingContent:A"] },
        { "bare name at EOF without newline", "A=1\nB", ["2:BareKeyWithoutNewline"] },
        { "bare name at EOF with CR only", "A=1\r\nB\r", ["2:BareKeyWithoutNewline"] },
        { "several problems", "A=1\nbad line\nA=2\n9X=3\nC=\"open", ["2:NotAnAssignment", "3:DuplicateKey:A", "4:NonPortableKey", "5:UnterminatedQuote:C"] },
        { "invalid name with quoted multi-line value is skipped whole", "MY KEY=\"a\nb c\nd\"\nZ=1\n", ["1:InvalidKey"] },
    };

    [Theory]
    [MemberData(nameof(BrokenInputs))]
    public void Broken_input_gives_findings(string name, string text, string[] expected)
    {
        var r = Parse(text);
        var actual = r.Findings.Select(f => f.Key is null ? $"{f.Line}:{f.Code}" : $"{f.Line}:{f.Code}:{f.Key}").ToArray();
        Assert.True(expected.SequenceEqual(actual), $"{name}: expected [{string.Join(", ", expected)}] got [{string.Join(", ", actual)}]");
        Assert.All(r.Findings, f =>
        {
            Assert.Equal(P, f.Path);
            Assert.StartsWith(f.Code + ": ", f.Problem);
            Assert.Equal(EnvFileProblems.SeverityOf(f.Code), f.Severity);
        });
    }

    [Fact]
    public void Unterminated_quote_names_the_opening_line_and_stops()
    {
        var r = Parse("A=1\nB=\"open\nC=3\nD=4\n");
        var f = Assert.Single(r.Findings);
        Assert.Contains("opened on line 2", f.Problem);
        Assert.Contains("lines 3-4", f.Problem);
        Assert.False(r.Complete);
        Assert.Equal(["A"], r.Entries.Select(e => e.Key));
    }

    [Fact]
    public void Quote_closed_on_a_later_line_resumes_after_the_opening_line()
    {
        var r = Parse("A=\"x\nB=\"y\"\nC=1\n");
        var f = Assert.Single(r.Findings);
        Assert.Contains("line 2", f.Problem);
        Assert.Equal(["B|2|y", "C|3|1"], r.Entries.Select(e => $"{e.Key}|{e.Line}|{e.Value}"));
    }

    [Fact]
    public void Duplicate_names_the_first_line()
    {
        var r = Parse("A=1\nB=2\nA=3\nA=4\n");
        Assert.All(r.Findings, f => Assert.Contains("line 1", f.Problem));
        Assert.Equal(3, r.Entries.Count(e => e.Key == "A"));
        Assert.Equal("4", r.ToDictionary()["A"]);
    }

    [Fact]
    public void Trailing_content_keeps_the_entry()
    {
        var r = Parse("A=\"x\" y\nB=1\n");
        Assert.Equal(["A|1|x", "B|2|1"], r.Entries.Select(e => $"{e.Key}|{e.Line}|{e.Value}"));
    }

    [Fact]
    public void Non_portable_names_are_kept_as_entries_but_not_shown()
    {
        var r = Parse("1A=x\n");
        Assert.Equal("1A", Assert.Single(r.Entries).Key);
        Assert.Null(Assert.Single(r.Findings).Key);
        Assert.Equal(EnvFileSeverity.Warning, r.Findings[0].Severity);
    }

    [Fact]
    public void Invalid_key_names_the_character_only()
    {
        var f = Assert.Single(Parse("A$B=x\n").Findings);
        Assert.Contains("'$'", f.Problem);
        Assert.Null(f.Key);
        Assert.Empty(Parse("A$B=x\n").Entries);
    }

    [Fact]
    public void Finding_ToString_has_path_line_severity_and_problem()
    {
        var f = Parse("A=1\nA=2\n").Findings[0];
        Assert.Equal($"{P}:2: warning: {f.Problem}", f.ToString());
    }

    // ------------------------------------------------------------------ files

    [Fact]
    public void Missing_file_is_a_line_zero_finding()
    {
        var path = Path.Combine(Path.GetTempPath(), "stingops-no-such-" + Guid.NewGuid().ToString("N") + ".env");
        var r = EnvFileParser.Parse(path);
        var f = Assert.Single(r.Findings);
        Assert.Equal((0, EnvFileProblem.FileNotFound, EnvFileSeverity.Error, path), (f.Line, f.Code, f.Severity, f.Path));
        Assert.False(r.Complete);
    }

    [Fact]
    public void Directory_is_unreadable()
    {
        using var dir = new TempDir();
        var f = Assert.Single(EnvFileParser.Parse(dir.Path).Findings);
        Assert.Equal((0, EnvFileProblem.FileUnreadable), (f.Line, f.Code));
    }

    [Fact]
    public void Unreadable_file_is_reported_when_permissions_apply()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
            return; // root reads anything; Windows has no chmod
        using var dir = new TempDir();
        var path = dir.Write("locked.env", "A=1\n");
        File.SetUnixFileMode(path, UnixFileMode.None);
        var f = Assert.Single(EnvFileParser.Parse(path).Findings);
        Assert.Equal((0, EnvFileProblem.FileUnreadable), (f.Line, f.Code));
    }

    [Fact]
    public void Oversized_file_is_unreadable()
    {
        using var dir = new TempDir();
        var path = dir.Write("big.env", "A=1\n");
        using (var fs = new FileStream(path, FileMode.Open))
            fs.SetLength(EnvFileParser.MaxFileBytes + 1); // sparse where the file system allows
        var f = Assert.Single(EnvFileParser.Parse(path).Findings);
        Assert.Equal((0, EnvFileProblem.FileUnreadable), (f.Line, f.Code));
    }

    [Fact]
    public void File_on_disk_with_bom_and_crlf_parses()
    {
        using var dir = new TempDir();
        var path = dir.Write("a.env", "# c\r\nexport A=1\r\nB=\"l1\nl2\"\r\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.True(File.ReadAllBytes(path)[0] == 0xEF);
        var r = EnvFileParser.Parse(path);
        Assert.Empty(r.Findings);
        Assert.Equal(["A|2|1", "B|3|l1\nl2"], r.Entries.Select(e => $"{e.Key}|{e.Line}|{e.Value}"));
    }

    [Theory]
    [InlineData("utf-16LE")]
    [InlineData("utf-16BE")]
    [InlineData("utf-32LE")]
    public void Utf16_and_utf32_files_are_rejected(string encodingName)
    {
        var encoding = Encoding.GetEncoding(encodingName);
        var bytes = encoding.GetPreamble().Concat(encoding.GetBytes("A=1\n")).ToArray();
        var f = Assert.Single(EnvFileParser.ParseBytes(bytes, P).Findings);
        Assert.Equal((0, EnvFileProblem.UnsupportedEncoding), (f.Line, f.Code));
        Assert.Contains("UTF-", f.Problem);
    }

    [Fact]
    public void Utf16_without_bom_is_rejected()
    {
        var f = Assert.Single(EnvFileParser.ParseBytes(Encoding.Unicode.GetBytes("A=1\n"), P).Findings);
        Assert.Equal(EnvFileProblem.UnsupportedEncoding, f.Code);
    }

    [Fact]
    public void Portable_name_rule()
    {
        Assert.True(EnvFileParser.IsPortableName("A_b.c-1"));
        Assert.True(EnvFileParser.IsPortableName("_x"));
        Assert.False(EnvFileParser.IsPortableName("1x"));
        Assert.False(EnvFileParser.IsPortableName("-x"));
        Assert.False(EnvFileParser.IsPortableName("a[1]"));
        Assert.False(EnvFileParser.IsPortableName(""));
        Assert.False(EnvFileParser.IsPortableName("é"));
    }
}

internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "stingops-envfiles-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string name, string content, Encoding? encoding = null)
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, content, encoding ?? new UTF8Encoding(false));
        return path;
    }

    public void Dispose()
    {
        if (!OperatingSystem.IsWindows())
            foreach (var f in Directory.EnumerateFiles(Path))
                File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.Delete(Path, recursive: true);
    }
}

public class EnvFileParserRobustnessTests
{
    [Fact]
    public void Random_input_never_throws_and_lines_stay_in_range()
    {
        const string alphabet = "AZaz09_.-[]=:#'\"\\ \t\r\n\n\nexport $é\uFEFF";
        var random = new Random(20240611);
        for (var round = 0; round < 3000; round++)
        {
            var chars = new char[random.Next(0, 120)];
            for (var i = 0; i < chars.Length; i++)
                chars[i] = alphabet[random.Next(alphabet.Length)];
            var text = new string(chars);
            var r = EnvFileParser.ParseText(text, "fuzz.env");
            var lines = text.Split('\n').Length;
            Assert.All(r.Findings, f => Assert.InRange(f.Line, 1, lines));
            Assert.All(r.Entries, e => Assert.InRange(e.Line, 1, lines));
            Assert.All(r.Entries, e => Assert.InRange(e.EndLine, e.Line, lines));
            Assert.All(r.Findings, f => Assert.StartsWith(f.Code + ": ", f.Problem));
            Assert.True(r.Findings.Select(f => f.Line).SequenceEqual(r.Findings.Select(f => f.Line).Order()));
        }
    }
}
