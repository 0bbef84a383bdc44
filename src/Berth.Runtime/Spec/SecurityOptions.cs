using Berth.Engine.Errors;

namespace Berth.Runtime.Spec;

/// <summary>HostConfig.SecurityOpt parsed as dockerd's parseSecurityOpt does.</summary>
public sealed record SecurityOptions(bool NoNewPrivileges, string? SeccompProfile, string? AppArmorProfile, bool? WritableCgroups)
{
    public const string SeccompUnconfined = "unconfined";
    public const string SeccompBuiltin = "builtin";

    /// <param name="options">SecurityOpt entries; "k=v", deprecated "k:v", or a bare flag.</param>
    /// <param name="daemonNoNewPrivileges">The daemon-wide default, which options may override.</param>
    public static SecurityOptions Parse(IEnumerable<string> options, bool daemonNoNewPrivileges)
    {
        bool nnp = daemonNoNewPrivileges;
        string? seccomp = null, apparmor = null;
        bool? writableCgroups = null;
        foreach (string opt in options)
        {
            if (opt == "no-new-privileges")
            {
                nnp = true;
                continue;
            }
            if (opt == "writable-cgroups")
            {
                writableCgroups = true;
                continue;
            }
            if (opt == "disable")
            {
                continue; // SELinux labelling off; Berth does not label.
            }
            int sep = opt.IndexOf('=', StringComparison.Ordinal);
            if (sep < 0)
            {
                sep = opt.IndexOf(':', StringComparison.Ordinal);
            }
            if (sep < 0)
            {
                throw DaemonException.InvalidParameter(Messages.InvalidSecurityOpt1(opt));
            }
            string key = opt[..sep], value = opt[(sep + 1)..];
            switch (key)
            {
                case "label":
                    break; // SELinux labels: accepted, not applied (no SELinux support yet).
                case "apparmor":
                    apparmor = value;
                    break;
                case "seccomp":
                    seccomp = value;
                    break;
                case "no-new-privileges":
                    nnp = ParseGoBool(value) ?? throw DaemonException.InvalidParameter(Messages.InvalidSecurityOpt2(opt));
                    break;
                case "writable-cgroups":
                    writableCgroups = ParseGoBool(value) ?? throw DaemonException.InvalidParameter(Messages.InvalidSecurityOpt2(opt));
                    break;
                default:
                    throw DaemonException.InvalidParameter(Messages.InvalidSecurityOpt2(opt));
            }
        }
        return new SecurityOptions(nnp, seccomp, apparmor, writableCgroups);
    }

    /// <summary>Go's strconv.ParseBool.</summary>
    private static bool? ParseGoBool(string text) => text switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };
}
