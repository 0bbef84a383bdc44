using System.Text;
using Berth.Runtime.Monitor;

namespace Berth.UnitTests.Runtime.Monitor;

public sealed class SyncMessageTests
{
    [Theory]
    [InlineData("{\"data\": 21437}\n", 21437)]
    [InlineData("{\"data\":0}", 0)]
    [InlineData("{\"data\": -1, \"message\": \"x\"}\n", -1)]
    public void ParsesData(string text, int expected)
    {
        Assert.True(SyncMessage.TryParse(Encoding.UTF8.GetBytes(text), out SyncMessage m));
        Assert.Equal(expected, m.Data);
    }

    [Fact]
    public void UnescapesGStrescapeMessage_IncludingOctalUtf8()
    {
        // g_strescape: quotes and backslashes escaped, newline as \n, bytes >= 0x7f as octal (é = \303\251).
        string wire = "{\"data\": -1, \"message\": \"exec: \\\"/bin/x\\\": stat /bin/x: no such file or directory caf\\303\\251\\n\"}\n";
        Assert.True(SyncMessage.TryParse(Encoding.UTF8.GetBytes(wire), out SyncMessage m));
        Assert.Equal("exec: \"/bin/x\": stat /bin/x: no such file or directory café", m.Message);
    }

    [Fact]
    public void RejectsGarbage() => Assert.False(SyncMessage.TryParse("hello"u8, out _));
}
