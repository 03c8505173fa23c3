// MSBuild task (compiled by RoslynCodeTaskFactory from Directory.Build.targets).
//
// Why: TorchSharp 0.107's libLibTorchSharp.so declares that it needs GLIBCXX_3.4.32, which
// Debian 12's libstdc++ does not provide, so dlopen fails. The need comes from a single symbol,
// std::ios_base_library_init(), that no relocation uses. Marking that version need as weak
// (VER_FLG_WEAK in .gnu.version_r) makes the loader accept a libstdc++ without it.
// The patch is idempotent, and the file is replaced atomically so parallel builds cannot tear it.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenGlibcxxNeed : Task
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>Shared objects to patch; missing files are skipped.</summary>
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Version need to weaken, e.g. GLIBCXX_3.4.32.</summary>
    [Required] public string Version { get; set; } = "";

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            try
            {
                var bytes = File.ReadAllBytes(path);
                var outcome = Weaken(bytes, Version);
                if (outcome == "patched")
                {
                    var tmp = path + ".weak." + Guid.NewGuid().ToString("N");
                    File.WriteAllBytes(tmp, bytes);
                    File.Replace(tmp, path, null);
                }
                Log.LogMessage(MessageImportance.Normal, $"{path}: {Version} {outcome}");
            }
            catch (Exception e)
            {
                Log.LogError($"Could not weaken {Version} in {path}: {e.Message}");
                return false;
            }
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>Sets VER_FLG_WEAK on the named version need. Returns "patched", "already weak" or "not needed".</summary>
    public static string Weaken(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("only 64-bit little-endian ELF is supported");

        long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
            int strIndex = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
            long strOffset = (long)BitConverter.ToUInt64(elf, (int)(shoff + (long)strIndex * shentsize) + 0x18);

            long need = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    uint name = BitConverter.ToUInt32(elf, (int)aux + 8);
                    if (ReadCString(elf, strOffset + name) == version)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) != 0) return "already weak";
                        ushort weak = (ushort)(flags | VerFlgWeak);
                        elf[aux + 4] = (byte)(weak & 0xff);
                        elf[aux + 5] = (byte)(weak >> 8);
                        return "patched";
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return "not needed";
    }

    static string ReadCString(byte[] bytes, long at)
    {
        int end = (int)at;
        while (bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, (int)at, end - (int)at);
    }
}
