using System.Globalization;
using System.Text;

namespace Berth.Bench;

/// <summary>
/// Renders the markdown report from bench/run.sh's raw file. Raw format (tab-separated):
///   #metric  scenario  metric  unit  goal  description
///   #fact    key       value
///   #failed  scenario  engine  run
///   scenario metric    engine  run   value
/// Goals: "-" (none), "&lt;=N" / "&gt;=N" (berthd median against N), "&gt;=dockerd" / "&lt;=dockerd"
/// (berthd median against dockerd's median).
/// </summary>
internal static class Report
{
    private sealed record Metric(string Scenario, string Name, string Unit, string Goal, string Description);

    public static int Run(Options o)
    {
        var lines = File.ReadAllLines(o.Required("raw"));
        var metrics = new List<Metric>();
        var facts = new List<(string Key, string Value)>();
        var failures = new List<string>();
        var values = new Dictionary<(string Metric, string Engine), List<double>>();
        foreach (var line in lines)
        {
            var f = line.Split('\t');
            if (f[0] == "#fact" && f.Length >= 3)
            {
                facts.Add((f[1], f[2]));
            }
            else if (f[0] == "#failed" && f.Length >= 4)
            {
                failures.Add($"{f[1]} run {f[3]} on {f[2]}");
            }
            else if (f[0] == "#metric" && f.Length >= 6)
            {
                if (!metrics.Any(m => m.Name == f[2]))
                {
                    metrics.Add(new Metric(f[1], f[2], f[3], f[4], f[5]));
                }
            }
            else if (!line.StartsWith('#') && f.Length >= 5 && double.TryParse(f[4], CultureInfo.InvariantCulture, out double v))
            {
                var key = (f[1], f[2]);
                if (!values.TryGetValue(key, out var list))
                {
                    values[key] = list = [];
                }
                list.Add(v);
            }
        }

        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("| scenario | metric | berthd median | dockerd median | berthd/dockerd | goal | pass |");
        sb.AppendLine("|---|---|---:|---:|---:|---|---|");
        foreach (var m in metrics)
        {
            double? b = Median(values.GetValueOrDefault((m.Name, "berthd")));
            double? d = Median(values.GetValueOrDefault((m.Name, "dockerd")));
            string ratio = b is { } bv && d is { } dv && dv != 0 ? (bv / dv).ToString("0.00", ci) + "×" : "–";
            sb.AppendLine(ci, $"| {m.Scenario} | {m.Description} | {Cell(b, m.Unit, values.GetValueOrDefault((m.Name, "berthd")))} | {Cell(d, m.Unit, values.GetValueOrDefault((m.Name, "dockerd")))} | {ratio} | {GoalText(m)} | {Pass(m.Goal, b, d)} |");
        }
        sb.AppendLine();
        sb.AppendLine("Cells: median (min–max, n runs).");
        if (failures.Count > 0)
        {
            sb.AppendLine(ci, $"Failed runs (left out of the medians): {string.Join("; ", failures)}.");
        }
        if (facts.Count > 0)
        {
            sb.AppendLine();
            foreach (var (key, value) in facts)
            {
                sb.AppendLine(ci, $"- {key}: {value}");
            }
        }
        Console.Write(sb.ToString());
        return 0;
    }

    private static double? Median(List<double>? list)
    {
        if (list is null || list.Count == 0)
        {
            return null;
        }
        var s = list.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }

    private static string Format(double v) =>
        Math.Abs(v) >= 1000 ? v.ToString("0", CultureInfo.InvariantCulture)
        : Math.Abs(v) >= 100 ? v.ToString("0.0", CultureInfo.InvariantCulture)
        : v.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Cell(double? median, string unit, List<double>? all) =>
        median is not { } m || all is null ? "–"
        : string.Create(CultureInfo.InvariantCulture, $"{Format(m)} {unit} ({Format(all.Min())}–{Format(all.Max())}, n={all.Count})");

    private static string GoalText(Metric m) => m.Goal switch
    {
        "-" or "" => "–",
        var g when g.EndsWith("dockerd", StringComparison.Ordinal) => g.Replace("<=", "≤ ", StringComparison.Ordinal).Replace(">=", "≥ ", StringComparison.Ordinal) + "'s",
        var g => g.Replace("<=", "≤ ", StringComparison.Ordinal).Replace(">=", "≥ ", StringComparison.Ordinal) + " " + m.Unit,
    };

    private static string Pass(string goal, double? berthd, double? dockerd)
    {
        if (goal is "-" or "" || berthd is not { } b)
        {
            return "–";
        }
        bool le = goal.StartsWith("<=", StringComparison.Ordinal);
        string rhs = goal[2..];
        double target;
        if (rhs.EndsWith("dockerd", StringComparison.Ordinal))
        {
            if (dockerd is not { } d)
            {
                return "n/a (no dockerd)";
            }
            // "<=0.6*dockerd": a fraction of dockerd's value.
            target = rhs == "dockerd" ? d : d * double.Parse(rhs[..rhs.IndexOf('*', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        }
        else
        {
            target = double.Parse(rhs, CultureInfo.InvariantCulture);
        }
        return (le ? b <= target : b >= target) ? "PASS" : "**FAIL**";
    }
}
