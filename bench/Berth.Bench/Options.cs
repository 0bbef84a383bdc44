using System.Globalization;

namespace Berth.Bench;

/// <summary>"--name value" pairs, bare words, and everything after "--" as a command line.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _named = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = [];

    public List<string> Command { get; } = [];

    public static Options Parse(ReadOnlySpan<string> args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--")
            {
                o.Command.AddRange(args[(i + 1)..]);
                break;
            }
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{args[i]} needs a value");
                }
                o._named[args[i][2..]] = args[++i];
            }
            else
            {
                o.Positional.Add(args[i]);
            }
        }
        return o;
    }

    public string Required(string name) =>
        _named.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");

    public string? Optional(string name) => _named.GetValueOrDefault(name);

    public double Number(string name, double fallback) =>
        _named.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
