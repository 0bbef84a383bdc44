namespace Berth.Linux.Netlink;

/// <summary>Numbers from linux/netlink.h, linux/rtnetlink.h and linux/if_link.h (stable kernel ABI).</summary>
internal static class Nl
{
    public const int AfNetlink = 16;
    public const int AfUnspec = 0;
    public const int AfInet = 2;
    public const int NetlinkRoute = 0;

    public const int HeaderLength = 16;

    // Message types.
    public const ushort Error = 2;
    public const ushort Done = 3;
    public const ushort NewLink = 16;
    public const ushort DelLink = 17;
    public const ushort GetLink = 18;
    public const ushort NewAddr = 20;
    public const ushort DelAddr = 21;
    public const ushort GetAddr = 22;
    public const ushort NewRoute = 24;
    public const ushort GetRoute = 26;

    // Header flags.
    public const ushort Request = 0x1;
    public const ushort Multi = 0x2;
    public const ushort Ack = 0x4;
    public const ushort Dump = 0x300;
    public const ushort Replace = 0x100;
    public const ushort Excl = 0x200;
    public const ushort Create = 0x400;

    // IFLA_* link attributes.
    public const ushort IflaAddress = 1;
    public const ushort IflaIfname = 3;
    public const ushort IflaMtu = 4;
    public const ushort IflaLink = 5;
    public const ushort IflaMaster = 10;
    public const ushort IflaOperstate = 16;
    public const ushort IflaLinkinfo = 18;
    public const ushort IflaNetNsPid = 19;
    public const ushort IflaIfalias = 20;
    public const ushort IflaNetNsFd = 28;

    public const byte RtTableMain = 254;
    public const byte RtProtBoot = 3;
    public const byte RtScopeUniverse = 0;
    public const byte RtnUnicast = 1;

    public const ushort IflaInfoKind = 1;
    public const ushort IflaInfoData = 2;
    public const ushort VethInfoPeer = 1;

    // IFA_* address attributes.
    public const ushort IfaAddress = 1;
    public const ushort IfaLocal = 2;
    public const ushort IfaLabel = 3;
    public const ushort IfaBroadcast = 4;

    // RTA_* route attributes.
    public const ushort RtaDst = 1;
    public const ushort RtaOif = 4;
    public const ushort RtaGateway = 5;
    public const ushort RtaPrefsrc = 7;
    public const ushort RtaTable = 15;

    public const uint IffUp = 0x1;

    /// <summary>Message and attribute payloads are padded to 4 bytes.</summary>
    public static int Align(int length) => (length + 3) & ~3;
}
