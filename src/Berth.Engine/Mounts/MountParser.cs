using System.Globalization;
using Berth.Engine.Errors;

namespace Berth.Engine.Mounts;

/// <summary>
/// dockerd's Linux mount parser (moby volume/mounts linux_parser): <c>-v</c> strings, <c>--mount</c>
/// specs and <c>--volumes-from</c>. Pure: whether a bind source exists is asked through a delegate.
/// Errors are InvalidParameter with dockerd's texts.
/// </summary>
public static class MountParser
{
    public const string DefaultPropagation = "rprivate";

    private static readonly HashSet<string> Propagations = new(StringComparer.Ordinal)
    {
        "private", "rprivate", "slave", "rslave", "shared", "rshared",
    };

    private static readonly HashSet<string> Consistencies = new(StringComparer.Ordinal) { "consistent", "cached", "delegated" };

    /// <summary>moby linuxValidMountMode: each option known, at most one of each kind.</summary>
    public static bool ValidMode(string mode)
    {
        if (mode.Length == 0)
        {
            return true;
        }
        int rw = 0, label = 0, propagation = 0, copy = 0, consistency = 0;
        foreach (string o in mode.Split(','))
        {
            if (o is "rw" or "ro") { rw++; }
            else if (o is "z" or "Z") { label++; }
            else if (Propagations.Contains(o)) { propagation++; }
            else if (o == "nocopy") { copy++; }
            else if (Consistencies.Contains(o)) { consistency++; }
            else { return false; }
        }
        return rw <= 1 && label <= 1 && propagation <= 1 && copy <= 1 && consistency <= 1;
    }

    public static bool ReadWrite(string mode) => ValidMode(mode) && !mode.Split(',').Contains("ro");

    /// <summary>moby ParseMountRaw: "dest", "source:dest" or "source:dest:mode".</summary>
    public static MountPoint ParseBind(string raw, string volumeDriver = "")
    {
        string[] arr = raw.Split(':', 4);
        if (arr[0].Length == 0)
        {
            throw Invalid(Messages.InvalidVolumeSpec(raw));
        }
        string source = "", target, mode = "";
        switch (arr.Length)
        {
            case 1:
                target = arr[0];
                break;
            case 2:
                if (ValidMode(arr[1]))
                {
                    throw Invalid(Messages.InvalidVolumeSpec(raw)); // "/foo:rw" has a mode but no destination
                }
                source = arr[0];
                target = arr[1];
                break;
            case 3:
                source = arr[0];
                target = arr[1];
                mode = arr[2];
                break;
            default:
                throw Invalid(Messages.InvalidVolumeSpec(raw));
        }
        if (!ValidMode(mode))
        {
            throw Invalid(Messages.InvalidMountMode(mode));
        }
        string type = source.StartsWith('/') ? MountTypes.Bind : MountTypes.Volume;
        var options = mode.Split(',');
        var settings = new MountSettings
        {
            Type = type,
            Source = source,
            Target = target,
            ReadOnly = !ReadWrite(mode),
            BindOptions = options.FirstOrDefault(Propagations.Contains) is { } p ? new BindMountSettings(p) : null,
            VolumeOptions = options.Contains("nocopy") || (volumeDriver.Length > 0 && type == MountTypes.Volume)
                ? new VolumeMountSettings(NoCopy: options.Contains("nocopy"), DriverName: volumeDriver.Length > 0 ? volumeDriver : null)
                : null,
        };
        string? error = Validate(settings, checkSource: null);
        if (error is not null)
        {
            throw Invalid($"{Messages.InvalidVolumeSpec(raw)}: {error}");
        }
        return ToMountPoint(settings) with { Mode = mode };
    }

    /// <summary>moby ParseMountSpec for one HostConfig.Mounts entry.</summary>
    public static MountPoint ParseMount(MountSettings settings, Func<string, bool> sourceExists)
    {
        string? error = Validate(settings, sourceExists);
        return error is null ? ToMountPoint(settings) : throw Invalid(error);
    }

    /// <summary>moby ParseVolumesFrom: "container[:mode]" where mode is rw/ro (and label modes), nothing else.</summary>
    public static (string Container, string Mode) ParseVolumesFrom(string spec)
    {
        if (spec.Length == 0)
        {
            throw Invalid(Messages.VolumesFromEmpty);
        }
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string id = colon < 0 ? spec : spec[..colon];
        string mode = colon < 0 ? "" : spec[(colon + 1)..];
        if (mode.Length == 0)
        {
            return (id, "rw");
        }
        var options = mode.Split(',');
        if (!ValidMode(mode) || options.Any(Propagations.Contains) || options.Contains("nocopy"))
        {
            throw Invalid(Messages.InvalidMountMode(mode));
        }
        return (id, mode);
    }

    /// <summary>moby ValidateTmpfsMountDestination for HostConfig.Tmpfs keys; null when fine.</summary>
    public static string? ValidateTmpfsDestination(string destination) =>
        CleanPath(destination) == "/" ? Messages.MountTargetIsRoot
            : destination.StartsWith('/') ? null : Messages.MountPathNotAbsolute(destination);

    /// <summary>moby ConvertTmpfsOptions: "ro", "mode=&lt;octal&gt;", "size=&lt;n&gt;[kmg]".</summary>
    public static string TmpfsData(TmpfsMountSettings? options, bool readOnly)
    {
        var parts = new List<string>();
        if (readOnly)
        {
            parts.Add("ro");
        }
        if (options is { Mode: not 0 })
        {
            parts.Add("mode=" + Convert.ToString(options.Mode, 8));
        }
        if (options is { SizeBytes: not 0 } o)
        {
            long size = o.SizeBytes;
            string suffix = "";
            foreach (var (s, divisor) in new[] { ("g", 1L << 30), ("m", 1L << 20), ("k", 1L << 10) })
            {
                if (size % divisor == 0)
                {
                    size /= divisor;
                    suffix = s;
                    break;
                }
            }
            parts.Add(size.ToString(CultureInfo.InvariantCulture) + suffix);
            parts[^1] = "size=" + parts[^1];
        }
        return string.Join(',', parts);
    }

    /// <summary>Go's path.Clean for absolute container paths.</summary>
    public static string CleanPath(string path)
    {
        var parts = new List<string>();
        foreach (string part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                continue;
            }
            parts.Add(part);
        }
        string joined = string.Join('/', parts);
        return path.StartsWith('/') ? "/" + joined : (joined.Length == 0 ? "." : joined);
    }

    /// <summary>moby validateMountConfigImpl; the message or null. <paramref name="checkSource"/> null skips the existence check (-v creates it).</summary>
    private static string? Validate(MountSettings m, Func<string, bool>? checkSource)
    {
        string? Wrap(string error) => Messages.InvalidMountConfig(m.Type, error);
        if (m.Target.Length == 0)
        {
            return Wrap(Messages.MountFieldMissing("Target"));
        }
        if (CleanPath(m.Target) == "/")
        {
            return Wrap(Messages.MountTargetIsRoot);
        }
        if (!m.Target.StartsWith('/'))
        {
            return Wrap(Messages.MountPathNotAbsolute(m.Target));
        }
        switch (m.Type)
        {
            case MountTypes.Bind:
                if (m.Source.Length == 0)
                {
                    return Wrap(Messages.MountFieldMissing("Source"));
                }
                if (m.BindOptions is { Propagation.Length: > 0 } b && !Propagations.Contains(b.Propagation))
                {
                    return Wrap(Messages.InvalidPropagation(b.Propagation));
                }
                if (m.VolumeOptions is not null)
                {
                    return Wrap(Messages.MountFieldExtra("VolumeOptions"));
                }
                if (!m.Source.StartsWith('/'))
                {
                    return Wrap(Messages.MountPathNotAbsolute(m.Source));
                }
                if (checkSource is not null && !checkSource(m.Source) && m.BindOptions is not { CreateMountpoint: true })
                {
                    return Wrap(Messages.BindSourceMissing(m.Source));
                }
                break;
            case MountTypes.Volume:
                if (m.BindOptions is not null)
                {
                    return Wrap(Messages.MountFieldExtra("BindOptions"));
                }
                if (m.VolumeOptions is { Subpath.Length: > 0 })
                {
                    return Wrap(m.Source.Length == 0 ? Messages.AnonymousVolumeSubpath : Messages.VolumeSubpathUnsupported);
                }
                if (m.ReadOnly && m.Source.Length == 0)
                {
                    return Wrap(Messages.AnonymousVolumeReadOnly);
                }
                break;
            case MountTypes.Tmpfs:
                if (m.BindOptions is not null)
                {
                    return Wrap(Messages.MountFieldExtra("BindOptions"));
                }
                if (m.Source.Length != 0)
                {
                    return Wrap(Messages.MountFieldExtra("Source"));
                }
                break;
            default:
                return Wrap(Messages.MountTypeUnknown);
        }
        return null;
    }

    private static MountPoint ToMountPoint(MountSettings m)
    {
        string destination = CleanPath(m.Target);
        return m.Type switch
        {
            MountTypes.Volume => new MountPoint
            {
                Type = MountTypes.Volume,
                Name = m.Source,
                Destination = destination,
                RW = !m.ReadOnly,
                Driver = m.VolumeOptions?.DriverName ?? "",
                CopyData = m.VolumeOptions is not { NoCopy: true },
                AnonymousSpec = m.Source.Length == 0,
            },
            MountTypes.Bind => new MountPoint
            {
                Type = MountTypes.Bind,
                Source = CleanPath(m.Source),
                Destination = destination,
                RW = !m.ReadOnly,
                Propagation = m.BindOptions is { Propagation.Length: > 0 } b ? b.Propagation : DefaultPropagation,
                SkipMountpointCreation = m.BindOptions is not { CreateMountpoint: true },
                NonRecursive = m.BindOptions is { NonRecursive: true },
            },
            _ => new MountPoint
            {
                Type = MountTypes.Tmpfs,
                Destination = destination,
                RW = !m.ReadOnly,
                TmpfsData = TmpfsData(m.TmpfsOptions, m.ReadOnly),
            },
        };
    }

    private static DaemonException Invalid(string message) => DaemonException.InvalidParameter(message);
}
