using System.Globalization;
using System.Text.RegularExpressions;
using Berth.Engine.Errors;

namespace Berth.Engine.Volumes;

/// <summary>
/// The local driver's validation (moby daemon/volume/local: validateName, validateOpts) and the
/// parsed mount options. Pure functions: the only host fact, which filesystem types the kernel
/// can mount, is passed in.
/// </summary>
public static partial class LocalVolumeRules
{
    public const string DriverName = "local";
    public const string Scope = "local";
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    private static readonly string[] ValidOptions = ["type", "o", "device", "size"];

    /// <summary>moby's mandatoryOpts: each key needs the listed ones. Checked in this order.</summary>
    private static readonly (string Option, string[] Needs)[] MandatoryOptions =
    [
        ("device", ["type"]),
        ("type", ["device"]),
        ("o", ["device", "type"]),
    ];

    /// <summary>names.RestrictedNamePattern: the name becomes a directory, so nothing that can escape.</summary>
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$")]
    private static partial Regex SizePattern();

    /// <summary>Null when valid, else dockerd's text (without the "create NAME: " prefix).</summary>
    public static string? ValidateName(string name)
    {
        if (name.Length == 1)
        {
            return Messages.VolumeNameTooShort;
        }
        return NamePattern().IsMatch(name) ? null : Messages.VolumeNameInvalid(name);
    }

    /// <summary>
    /// Null when valid. dockerd's checks (known keys, mandatory combinations, size parses) plus
    /// Berth's own, made at create rather than at first mount so a typo fails early: the type
    /// must be mountable, "none" only for binds, a bind device absolute, size only with tmpfs.
    /// </summary>
    public static string? ValidateOptions(IReadOnlyDictionary<string, string>? options, Func<string, bool> filesystemAvailable)
    {
        if (options is null || options.Count == 0)
        {
            return null;
        }
        foreach (var key in options.Keys.Order(StringComparer.Ordinal))
        {
            if (!ValidOptions.Contains(key))
            {
                return Messages.VolumeInvalidOption(key);
            }
        }
        if (options.TryGetValue("size", out var sizeText))
        {
            if (!TryParseRamSize(sizeText, out long size))
            {
                return Messages.InvalidSize(sizeText);
            }
            if (size > 0 && options.GetValueOrDefault("type") != "tmpfs")
            {
                return Messages.VolumeQuotaUnsupported;
            }
        }
        foreach (var (option, needs) in MandatoryOptions)
        {
            if (options.ContainsKey(option))
            {
                foreach (var need in needs)
                {
                    if (!options.ContainsKey(need))
                    {
                        return Messages.VolumeMissingOption(need);
                    }
                }
            }
        }
        if (options.TryGetValue("type", out var fsType))
        {
            bool bind = IsBind(options.GetValueOrDefault("o"));
            if (fsType == "none" && !bind)
            {
                return Messages.VolumeTypeNoneNeedsBind;
            }
            if (!bind && (fsType.Length == 0 || fsType.Contains('/') || !filesystemAvailable(fsType)))
            {
                return Messages.VolumeUnknownFsType(fsType);
            }
            if (bind && !options["device"].StartsWith('/'))
            {
                return Messages.VolumeBindDeviceNotAbsolute(options["device"]);
            }
        }
        return null;
    }

    /// <summary>moby needsMount: a device or a type means the data comes from a mount.</summary>
    public static bool NeedsMount(IReadOnlyDictionary<string, string>? options) =>
        options is not null &&
        (!string.IsNullOrEmpty(options.GetValueOrDefault("device")) || !string.IsNullOrEmpty(options.GetValueOrDefault("type")));

    /// <summary>(device, fsType, o) for mount(2); a tmpfs <c>size</c> becomes <c>size=BYTES</c> unless o already sets one.</summary>
    public static (string Device, string FsType, string Options) MountArguments(IReadOnlyDictionary<string, string> options)
    {
        string device = options.GetValueOrDefault("device") ?? "";
        string fsType = options.GetValueOrDefault("type") ?? "";
        string o = options.GetValueOrDefault("o") ?? "";
        if (fsType == "tmpfs" && options.TryGetValue("size", out var sizeText) && TryParseRamSize(sizeText, out long size) && size > 0 &&
            !o.Split(',').Any(w => w.StartsWith("size=", StringComparison.Ordinal)))
        {
            o = o.Length == 0 ? $"size={size}" : $"{o},size={size}";
        }
        return (device, fsType, o);
    }

    public static bool IsBind(string? o) =>
        o is not null && o.Split(',').Any(w => w is "bind" or "rbind");

    /// <summary>go-units RAMInBytes: "1m", "1.5GiB", "512" — binary multipliers.</summary>
    public static bool TryParseRamSize(string text, out long bytes)
    {
        bytes = 0;
        var m = SizePattern().Match(text);
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
        {
            return false;
        }
        int shift = m.Groups[2].Success ? "kmgtp".IndexOf(char.ToLowerInvariant(m.Groups[2].Value[0]), StringComparison.Ordinal) + 1 : 0;
        bytes = (long)(value * Math.Pow(1024, shift));
        return true;
    }
}
