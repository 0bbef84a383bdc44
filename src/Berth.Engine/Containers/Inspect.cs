using Berth.Engine.Errors;

namespace Berth.Engine.Containers;

public sealed partial class ContainerService
{
    public ContainerDetails Inspect(string reference)
    {
        ContainerRecord record = Find(reference).Record;
        string? upper = SafeDiffPath(record.Id);
        string? lower = null;
        if (record.TopChainId is { } chain)
        {
            try
            {
                lower = _layers.Get(Images.Digest.Parse(chain))?.DiffPath;
            }
            catch (DaemonException)
            {
                // layer store unavailable: GraphDriver shows what is known
            }
        }
        string? parent = upper is null ? null : Path.GetDirectoryName(upper);
        return new ContainerDetails(record, ExecIds?.ExecIdsOf(record) ?? [], upper, parent is null ? null : Path.Combine(parent, "merged"), lower,
            parent is null ? null : Path.Combine(parent, "work")) { Ports = PortMapOf(record) };
    }
}
