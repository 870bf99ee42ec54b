// Versioning oracle for Galleon's differential test (test/versioning-differential.test.ts).
//
// Reads cases from stdin, one per line, fields separated by TAB. Text fields are escaped:
// "\\" backslash, "\t" tab, "\n" newline, "\r" carriage return, "\0" NUL, "\uXXXX" any UTF-16 unit.
// Writes exactly one answer line per case (fields TAB-separated, escaped the same way):
//
//   v <text>                    NuGetVersion.TryParse → INVALID | norm, full, isPrerelease, isSemVer2, isLegacy
//   c <a> <b>                   VersionComparer.Default → sign of Compare, Equals (1/0)
//   r <allowFloating 1|0> <t>   VersionRange.TryParse → INVALID | "N", ToShortString, ToLegacyShortString,
//                               IsFloating, float behavior (or -), Float.ToString (or -),
//                               HasLowerBound, IsMinInclusive, HasUpperBound, IsMaxInclusive
//   s <range> <version>         range.Satisfies(version), range.Float?.Satisfies(version) (or -)
//   b <range> <v1> <v2> ...     range.FindBestMatch(versions) → index of the chosen version, or -1
//
// Any exception is answered as "THROW <ExceptionType>".
using System.Globalization;
using System.Text;
using NuGet.Versioning;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var input = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false), false, 1 << 16);
var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false, NewLine = "\n" };

string? line;
while ((line = input.ReadLine()) != null)
{
    if (line.Length == 0)
    {
        continue;
    }
    var f = line.Split('\t');
    string answer;
    try
    {
        answer = f[0] switch
        {
            "v" => Version(Unescape(f[1])),
            "c" => Compare(Unescape(f[1]), Unescape(f[2])),
            "r" => Range(f[1] == "1", Unescape(f[2])),
            "s" => Satisfies(Unescape(f[1]), Unescape(f[2])),
            "b" => Best(Unescape(f[1]), f.Skip(2).Select(Unescape).ToArray()),
            _ => "UNKNOWN " + f[0],
        };
    }
    catch (Exception e)
    {
        answer = "THROW " + e.GetType().Name;
    }
    output.Write(answer);
    output.Write('\n');
}
output.Flush();
return 0;

static string B(bool b) => b ? "1" : "0";

static string Version(string text)
{
    if (!NuGetVersion.TryParse(text, out var v))
    {
        return "INVALID";
    }
    return string.Join('\t', Escape(v.ToNormalizedString()), Escape(v.ToFullString()), B(v.IsPrerelease), B(v.IsSemVer2), B(v.IsLegacyVersion));
}

static string Compare(string a, string b)
{
    var x = NuGetVersion.Parse(a);
    var y = NuGetVersion.Parse(b);
    var c = VersionComparer.Default.Compare(x, y);
    return Math.Sign(c).ToString(CultureInfo.InvariantCulture) + "\t" + B(VersionComparer.Default.Equals(x, y));
}

static string Range(bool allowFloating, string text)
{
    if (!VersionRange.TryParse(text, allowFloating, out var r))
    {
        return "INVALID";
    }
    var behavior = r.Float == null ? "-" : r.Float.FloatBehavior.ToString();
    var floatText = r.Float == null ? "-" : r.Float.ToString();
    return string.Join('\t',
        Escape(r.ToNormalizedString()), Escape(r.ToShortString()), Escape(r.ToLegacyShortString()),
        B(r.IsFloating), behavior, Escape(floatText),
        B(r.HasLowerBound), B(r.IsMinInclusive), B(r.HasUpperBound), B(r.IsMaxInclusive));
}

static string Satisfies(string range, string version)
{
    var r = VersionRange.Parse(range);
    var v = NuGetVersion.Parse(version);
    return B(r.Satisfies(v)) + "\t" + (r.Float == null ? "-" : B(r.Float.Satisfies(v)));
}

static string Best(string range, string[] versions)
{
    var r = VersionRange.Parse(range);
    var parsed = versions.Select(NuGetVersion.Parse).ToList();
    var best = r.FindBestMatch(parsed);
    if (best == null)
    {
        return "-1";
    }
    for (var i = 0; i < parsed.Count; i++)
    {
        if (ReferenceEquals(parsed[i], best))
        {
            return i.ToString(CultureInfo.InvariantCulture);
        }
    }
    return "LOST";
}

static string Unescape(string s)
{
    if (s.IndexOf('\\') < 0)
    {
        return s;
    }
    var sb = new StringBuilder(s.Length);
    for (var i = 0; i < s.Length; i++)
    {
        var c = s[i];
        if (c != '\\' || i + 1 >= s.Length)
        {
            sb.Append(c);
            continue;
        }
        var n = s[++i];
        switch (n)
        {
            case 't': sb.Append('\t'); break;
            case 'n': sb.Append('\n'); break;
            case 'r': sb.Append('\r'); break;
            case '0': sb.Append('\0'); break;
            case '\\': sb.Append('\\'); break;
            case 'u':
                sb.Append((char)int.Parse(s.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 4;
                break;
            default: sb.Append('\\').Append(n); break;
        }
    }
    return sb.ToString();
}

static string Escape(string s)
{
    var sb = new StringBuilder(s.Length);
    foreach (var c in s)
    {
        switch (c)
        {
            case '\\': sb.Append("\\\\"); break;
            case '\t': sb.Append("\\t"); break;
            case '\n': sb.Append("\\n"); break;
            case '\r': sb.Append("\\r"); break;
            case '\0': sb.Append("\\0"); break;
            default:
                if (c < 0x20 || c > 0x7e)
                {
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(c);
                }
                break;
        }
    }
    return sb.ToString();
}
