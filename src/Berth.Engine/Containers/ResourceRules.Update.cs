using System.Globalization;
using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public static partial class ResourceRules
{
    /// <summary>
    /// container.UpdateContainer: every non-zero value of <paramref name="update"/> replaces the
    /// stored one. NanoCPUs and an explicit period/quota exclude each other across updates.
    /// </summary>
    /// <exception cref="DaemonException">Conflict "Cannot update container …".</exception>
    public static HostSettings Merge(HostSettings current, HostSettings update, string id)
    {
        DaemonException Conflict(string text) => DaemonException.Conflict(Messages.CannotUpdate(id, text));
        if (update.NanoCpus > 0 && current.CpuPeriod > 0)
        {
            throw Conflict(Messages.UpdateNanoCpusAfterPeriod);
        }
        if (update.NanoCpus > 0 && current.CpuQuota > 0)
        {
            throw Conflict(Messages.UpdateNanoCpusAfterQuota);
        }
        if (update.CpuPeriod > 0 && current.NanoCpus > 0)
        {
            throw Conflict(Messages.UpdatePeriodAfterNanoCpus);
        }
        if (update.CpuQuota > 0 && current.NanoCpus > 0)
        {
            throw Conflict(Messages.UpdateQuotaAfterNanoCpus);
        }
        var h = current;
        if (update.BlkioWeight != 0)
        {
            h = h with { BlkioWeight = update.BlkioWeight };
        }
        h = h with
        {
            BlkioWeightDevice = update.BlkioWeightDevice ?? h.BlkioWeightDevice,
            BlkioDeviceReadBps = update.BlkioDeviceReadBps ?? h.BlkioDeviceReadBps,
            BlkioDeviceWriteBps = update.BlkioDeviceWriteBps ?? h.BlkioDeviceWriteBps,
            BlkioDeviceReadIOps = update.BlkioDeviceReadIOps ?? h.BlkioDeviceReadIOps,
            BlkioDeviceWriteIOps = update.BlkioDeviceWriteIOps ?? h.BlkioDeviceWriteIOps,
            CpuShares = update.CpuShares != 0 ? update.CpuShares : h.CpuShares,
            NanoCpus = update.NanoCpus != 0 ? update.NanoCpus : h.NanoCpus,
            CpuPeriod = update.CpuPeriod != 0 ? update.CpuPeriod : h.CpuPeriod,
            CpuQuota = update.CpuQuota != 0 ? update.CpuQuota : h.CpuQuota,
            CpusetCpus = update.CpusetCpus.Length > 0 ? update.CpusetCpus : h.CpusetCpus,
            CpusetMems = update.CpusetMems.Length > 0 ? update.CpusetMems : h.CpusetMems,
        };
        if (update.Memory != 0)
        {
            if (update.Memory > h.MemorySwap && update.MemorySwap == 0)
            {
                throw Conflict(Messages.UpdateMemoryAboveSwap);
            }
            h = h with { Memory = update.Memory };
        }
        h = h with
        {
            MemorySwap = update.MemorySwap != 0 ? update.MemorySwap : h.MemorySwap,
            MemoryReservation = update.MemoryReservation != 0 ? update.MemoryReservation : h.MemoryReservation,
            CpuRealtimePeriod = update.CpuRealtimePeriod != 0 ? update.CpuRealtimePeriod : h.CpuRealtimePeriod,
            CpuRealtimeRuntime = update.CpuRealtimeRuntime != 0 ? update.CpuRealtimeRuntime : h.CpuRealtimeRuntime,
            PidsLimit = update.PidsLimit ?? h.PidsLimit,
        };
        // An empty name leaves the policy alone (the update body of `docker update --cpus` has one).
        if (update.RestartPolicy.Name.Length > 0)
        {
            if (h.AutoRemove && update.RestartPolicy.Name != "no")
            {
                throw Conflict(Messages.UpdateRestartPolicyAutoRemove);
            }
            h = h with { RestartPolicy = update.RestartPolicy };
        }
        return h;
    }

    /// <summary>
    /// sysinfo isCpusetListAvailable: every requested index must be in the available list.
    /// False with <paramref name="error"/> set for a malformed list, null when merely unavailable.
    /// </summary>
    public static bool IsListAvailable(string requested, string available, out string? error)
    {
        error = null;
        if (requested.Length == 0)
        {
            return true;
        }
        HashSet<int> offered = TryParseList(available, 0, out _) ?? [];
        int maximum = Math.Max(DefaultMaxCpus, offered.Count == 0 ? 0 : offered.Max());
        HashSet<int>? wanted = TryParseList(requested, maximum, out error);
        return wanted is not null && wanted.IsSubsetOf(offered);
    }

    /// <summary>moby parseUintList ("0-2,5"); null with dockerd's error text when malformed.</summary>
    public static HashSet<int>? TryParseList(string value, int maximum, out string? error)
    {
        error = null;
        var set = new HashSet<int>();
        if (value.Length == 0)
        {
            return set;
        }
        foreach (string part in value.Split(','))
        {
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            string low = dash < 0 ? part : part[..dash];
            string high = dash < 0 ? part : part[(dash + 1)..];
            if (!int.TryParse(low, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int min)
                || !int.TryParse(high, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int max)
                || max < min)
            {
                error = Messages.ListInvalidFormat(value);
                return null;
            }
            if (maximum != 0 && max > maximum)
            {
                error = Messages.ListOutOfRange(maximum);
                return null;
            }
            for (int i = min; i <= max; i++)
            {
                set.Add(i);
            }
        }
        return set;
    }
}
