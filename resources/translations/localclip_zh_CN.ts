<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>CautionBanner</name>
    <message>
        <location filename="../../localclip/gui/intake.py" line="193"/>
        <source>Use an&amp;yway</source>
        <translation>仍然使用(&amp;Y)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="194"/>
        <source>Read this folder and use it as it is</source>
        <translation>读取此文件夹并按原样使用</translation>
    </message>
</context>
<context>
    <name>ClipPlayer</name>
    <message>
        <location filename="../../localclip/gui/player.py" line="114"/>
        <source>The clip {0} is missing: it cannot be played.</source>
        <translation>片段 {0} 不存在，无法播放。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="198"/>
        <source>Clips cannot be played on this computer: Qt Multimedia could not be loaded ({0}).</source>
        <translation>此计算机无法播放片段：无法加载 Qt Multimedia（{0}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="206"/>
        <source>No audio output device was found: clips play without sound.</source>
        <translation>未找到音频输出设备：片段将静音播放。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="240"/>
        <source>it is not an audio file Qt can read</source>
        <translation>Qt 无法读取此音频文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="316"/>
        <source>the file could not be opened</source>
        <translation>无法打开文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="317"/>
        <source>its format is not supported</source>
        <translation>不支持该格式</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="318"/>
        <source>access to it was denied</source>
        <translation>访问被拒绝</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="320"/>
        <source>the media system reported an error</source>
        <translation>媒体系统报告了错误</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/player.py" line="326"/>
        <source>Cannot play {0}: {1}.</source>
        <translation>无法播放 {0}：{1}。</translation>
    </message>
</context>
<context>
    <name>DemoModelBuilder</name>
    <message>
        <location filename="../../localclip/runs/demo_models.py" line="91"/>
        <source>The demo {0} model could not be built.</source>
        <translation>无法构建演示用 {0} 模型。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/demo_models.py" line="96"/>
        <source>The worker environment could not be started: {0}</source>
        <translation>无法启动工作进程环境：{0}</translation>
    </message>
</context>
<context>
    <name>DropZone</name>
    <message>
        <location filename="../../localclip/gui/intake.py" line="108"/>
        <location filename="../../localclip/gui/intake.py" line="142"/>
        <source>Drop a dataset folder or a cloning project folder here</source>
        <translation>将数据集文件夹或克隆项目文件夹拖放到此处</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="114"/>
        <source>A dataset holds one folder per speaker with audio clips; a project holds speakers/ with reference recordings and a script. Several folders queue up.</source>
        <translation>数据集中每个说话人一个文件夹，内含音频片段；项目包含存放参考录音的 speakers/ 文件夹和一个脚本。可同时拖入多个文件夹排队处理。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="121"/>
        <source>Open fo&amp;lder…</source>
        <translation>打开文件夹(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="140"/>
        <source>Drop more folders here to queue them</source>
        <translation>将更多文件夹拖放到此处即可排队</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="80"/>
        <source>Export kept takes</source>
        <translation>导出保留版本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="99"/>
        <source>&amp;Browse…</source>
        <translation>浏览(&amp;B)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="106"/>
        <source>48 kHz (video)</source>
        <translation>48 kHz（视频）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="107"/>
        <source>44.1 kHz</source>
        <translation>44.1 kHz</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="108"/>
        <source>Same as the takes</source>
        <translation>与版本相同</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="110"/>
        <source>24-bit PCM</source>
        <translation>24 位 PCM</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="111"/>
        <source>16-bit PCM</source>
        <translation>16 位 PCM</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="112"/>
        <source>32-bit float</source>
        <translation>32 位浮点</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="115"/>
        <source>Fields: {id}, {speaker}, {take}, {text} (the first words of the line)</source>
        <translation>字段：{id}、{speaker}、{take}、{text}（台词开头的几个词）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="121"/>
        <source>A folder per &amp;speaker</source>
        <translation>每个说话人一个文件夹(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="123"/>
        <source>&amp;Approved lines only</source>
        <translation>仅限已批准的台词(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="125"/>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="126"/>
        <source>-23 LUFS (broadcast, EBU R128)</source>
        <translation>-23 LUFS（广播，EBU R128）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="127"/>
        <source>-16 LUFS (web video)</source>
        <translation>-16 LUFS（网络视频）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="129"/>
        <source>Each clip is brought to this loudness; its peak never passes -1 dBFS.</source>
        <translation>每个片段都会调整到此响度；其峰值不会超过 -1 dBFS。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="132"/>
        <source>&amp;Timeline tracks: a WAV per speaker and a mix, at subtitle times</source>
        <translation>时间线音轨(&amp;T)：每个说话人一个 WAV 外加一个混音，按字幕时间排列</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="136"/>
        <source>Only for projects whose script is a subtitle file (.srt).</source>
        <translation>仅适用于脚本为字幕文件（.srt）的项目。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="139"/>
        <source>&amp;Folder:</source>
        <translation>文件夹(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="142"/>
        <source>Sample &amp;rate:</source>
        <translation>采样率(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="143"/>
        <source>F&amp;ormat:</source>
        <translation>格式(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="144"/>
        <source>&amp;Names:</source>
        <translation>文件名(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="146"/>
        <source>&amp;Loudness:</source>
        <translation>响度(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="157"/>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="214"/>
        <source>Fields: {id}, {speaker}, {take}, {text}</source>
        <translation>字段：{id}、{speaker}、{take}、{text}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="226"/>
        <source>For example: {0}</source>
        <translation>例如：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="233"/>
        <source>Export the kept takes to</source>
        <translation>将保留版本导出到</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="245"/>
        <source>Choose a folder to export into.</source>
        <translation>请选择要导出到的文件夹。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="259"/>
        <source>Checking the lines…</source>
        <translation>正在检查台词…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="264"/>
        <location filename="../../localclip/gui/export_dialog.py" line="296"/>
        <source>Export cancelled: nothing was written.</source>
        <translation>导出已取消：未写入任何内容。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="267"/>
        <source>None of these lines has a kept take.</source>
        <translation>这些台词都没有保留的版本。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="278"/>
        <source>
… and {0} more</source>
        <translation>
… 以及另外 {0} 个</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="281"/>
        <source>Replace files?</source>
        <translation>替换文件？</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="283"/>
        <source>%n file(s) in {0} would be replaced by this export:

{1}{2}</source>
        <translation>
            <numerusform>此次导出将替换 {0} 中的 %n 个文件：

{1}{2}</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="290"/>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="311"/>
        <source>Exporting %n take(s)…</source>
        <translation>
            <numerusform>正在导出 %n 个版本…</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="323"/>
        <source>Sto&amp;p</source>
        <translation>停止(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="339"/>
        <source>Nothing was exported: {0}</source>
        <translation>未导出任何内容：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="341"/>
        <location filename="../../localclip/gui/export_dialog.py" line="342"/>
        <source>The export did not finish.</source>
        <translation>导出未完成。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="342"/>
        <location filename="../../localclip/gui/export_dialog.py" line="371"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="347"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="352"/>
        <source>Export stopped after %n take(s); {0} lists them.</source>
        <translation>
            <numerusform>导出在 %n 个版本后停止；{0} 列出了已导出的版本。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="356"/>
        <source>Exported %n take(s) and {0} to {1}.</source>
        <translation>
            <numerusform>已将 %n 个版本和 {0} 导出到 {1}。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="360"/>
        <source>%n timeline track(s) written.</source>
        <translation>
            <numerusform>已写入 %n 条时间线音轨。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/export_dialog.py" line="367"/>
        <source>%n line(s) were left out (not approved, or without a kept take).</source>
        <translation>
            <numerusform>%n 句台词未导出（未批准，或没有保留的版本）。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="374"/>
        <source>Show in &amp;folder</source>
        <translation>在文件夹中显示(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/export_dialog.py" line="384"/>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
</context>
<context>
    <name>FileRow</name>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="170"/>
        <source>…</source>
        <translation>…</translation>
    </message>
</context>
<context>
    <name>GpuPanel</name>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="136"/>
        <source>GPUs</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="139"/>
        <source>Reading the GPUs…</source>
        <translation>正在读取 GPU 信息…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="151"/>
        <source>Cluster</source>
        <translation>集群</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="265"/>
        <source>{node}: %n GPU(s)</source>
        <translation>
            <numerusform>{node}：%n 个 GPU</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="267"/>
        <source>{node}: CPU</source>
        <translation>{node}：CPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="297"/>
        <source>The GPUs could not be read: {error}</source>
        <translation>无法读取 GPU 信息：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="316"/>
        <source>NVIDIA driver {driver}, CUDA {cuda}</source>
        <translation>NVIDIA 驱动 {driver}，CUDA {cuda}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="321"/>
        <source>No NVIDIA GPU found: running on CPU</source>
        <translation>未找到 NVIDIA GPU：使用 CPU 运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="324"/>
        <source>Workers run on the processor. They work, but much more slowly than on a GPU.</source>
        <translation>工作进程将在处理器上运行。可以正常工作，但速度远慢于 GPU。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="341"/>
        <source>No workers can start</source>
        <translation>无法启动任何工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="350"/>
        <source>on the GPU</source>
        <translation>使用 GPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="350"/>
        <source>on the CPU</source>
        <translation>使用 CPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="353"/>
        <source>Running on the cluster</source>
        <translation>正在集群上运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="353"/>
        <source>Runs go to the cluster</source>
        <translation>运行将在集群上进行</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="355"/>
        <source>Running: %n worker(s) {where}</source>
        <translation>
            <numerusform>运行中：%n 个工作进程，{where}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="357"/>
        <source>Planned: %n worker(s) {where}</source>
        <translation>
            <numerusform>计划：%n 个工作进程，{where}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>GpuRow</name>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="67"/>
        <source>Memory</source>
        <translation>显存</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="67"/>
        <source>Load</source>
        <translation>负载</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="76"/>
        <source>GPU {index}: {name}</source>
        <translation>GPU {index}：{name}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="88"/>
        <source>Worker {worker}: {name}</source>
        <translation>工作进程 {worker}：{name}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="90"/>
        <source>Worker {worker}: CPU</source>
        <translation>工作进程 {worker}：CPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="100"/>
        <source>{total:.1f} GB</source>
        <translation>{total:.1f} GB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="103"/>
        <source>{used:.1f} of {total:.1f} GB</source>
        <translation>{used:.1f} / {total:.1f} GB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="79"/>
        <source>{free:.1f} GB free on {name}</source>
        <translation>{name} 可用 {free:.1f} GB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="109"/>
        <source>not reported</source>
        <translation>未报告</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/gpu_panel.py" line="112"/>
        <source>{percent} % busy</source>
        <translation>占用 {percent}%</translation>
    </message>
</context>
<context>
    <name>IntakeView</name>
    <message>
        <location filename="../../localclip/gui/intake.py" line="230"/>
        <source>Folders</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="231"/>
        <source>Scan &amp;again</source>
        <translation>重新扫描(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="233"/>
        <source>&amp;Remove from the list</source>
        <translation>从列表中移除(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="259"/>
        <source>&amp;Change…</source>
        <translation>更改(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="260"/>
        <source>Choose where this dataset&apos;s embeddings are written</source>
        <translation>选择此数据集嵌入的保存位置</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="264"/>
        <source>Folder content</source>
        <translation>文件夹内容</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="273"/>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="276"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="276"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="333"/>
        <source>Open a dataset or project folder</source>
        <translation>打开数据集或项目文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="538"/>
        <source>The folder could not be read: {error}</source>
        <translation>无法读取文件夹：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="571"/>
        <location filename="../../localclip/gui/intake.py" line="582"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="606"/>
        <source>Results: {folder}</source>
        <translation>结果：{folder}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="612"/>
        <source>This folder cannot be used.</source>
        <translation>此文件夹无法使用。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="614"/>
        <source>This folder is used only once you confirm it.</source>
        <translation>此文件夹需经您确认后才会使用。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="618"/>
        <source>Dataset ({layout}): %n speaker(s), </source>
        <translation>
            <numerusform>数据集（{layout}）：%n 个说话人，</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="620"/>
        <source>%n clip(s)</source>
        <translation>
            <numerusform>%n 个片段</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="622"/>
        <source>, {duration} in all</source>
        <translation>，共 {duration}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="624"/>
        <source>, reading durations: {done} of {total}</source>
        <translation>，正在读取时长：{done} / {total}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="631"/>
        <source>Cloning project ({script}): %n speaker(s), </source>
        <translation>
            <numerusform>克隆项目（{script}）：%n 个说话人，</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="634"/>
        <source>%n reference(s), </source>
        <translation>
            <numerusform>%n 段参考音频，</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="635"/>
        <source>%n line(s) to speak</source>
        <translation>
            <numerusform>%n 句待生成台词</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="638"/>
        <source>Cloning project: reading the references and the script…</source>
        <translation>克隆项目：正在读取参考音频和脚本…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="640"/>
        <source>Dataset: listing the clips…</source>
        <translation>数据集：正在列出片段…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="641"/>
        <source>Looking at the folder…</source>
        <translation>正在查看文件夹…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="664"/>
        <source>Every clip already has its embedding (results in {folder}).</source>
        <translation>所有片段均已有嵌入（结果位于 {folder}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="668"/>
        <source>Every line has been generated.</source>
        <translation>所有台词均已生成。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="672"/>
        <source>An earlier run embedded {done} of {total} clips ({failed} failed). Resume computes only the rest; Start over computes every clip again.</source>
        <translation>上次运行已为 {total} 个片段中的 {done} 个提取嵌入（{failed} 个失败）。“继续”只计算剩余部分；“重新开始”将重新计算所有片段。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="677"/>
        <source>An earlier run generated {done} of {total} lines ({failed} failed). Resume generates the rest; nothing generated is overwritten.</source>
        <translation>上次运行已生成 {total} 句台词中的 {done} 句（{failed} 句失败）。“继续”生成剩余部分；已生成的内容不会被覆盖。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="684"/>
        <source>Show res&amp;ults</source>
        <translation>显示结果(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="684"/>
        <source>&amp;Go to review</source>
        <translation>前往审听(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="692"/>
        <source>scanning…</source>
        <translation>正在扫描…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="693"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="694"/>
        <source>cannot be used</source>
        <translation>无法使用</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="695"/>
        <source>needs your confirmation</source>
        <translation>需要您确认</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="696"/>
        <source>waiting to run</source>
        <translation>等待运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="697"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="698"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="699"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="700"/>
        <source>finished with failures</source>
        <translation>已完成，有失败项</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="702"/>
        <source>dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="702"/>
        <source>project</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="718"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="718"/>
        <source>Clips</source>
        <translation>片段</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="718"/>
        <location filename="../../localclip/gui/intake.py" line="758"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="745"/>
        <source>Reading the durations: {done} of {total} clips</source>
        <translation>正在读取时长：{done} / {total} 个片段</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="752"/>
        <source>%n clip(s) could not be read: see the problems below</source>
        <translation>
            <numerusform>%n 个片段无法读取：请查看下方的问题列表</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="758"/>
        <source>Speaker / reference</source>
        <translation>说话人 / 参考音频</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="758"/>
        <source>Lines</source>
        <translation>台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="818"/>
        <source>No problems found</source>
        <translation>未发现问题</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="821"/>
        <source>Problems ({total}; the first {shown} are listed)</source>
        <translation>问题（共 {total} 个，列出前 {shown} 个）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="826"/>
        <source>Problems ({total})</source>
        <translation>问题（{total}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="854"/>
        <source>Where the embeddings go</source>
        <translation>嵌入的保存位置</translation>
    </message>
</context>
<context>
    <name>LogPanel</name>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="61"/>
        <source>state</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="62"/>
        <source>info</source>
        <translation>信息</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="63"/>
        <source>problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="64"/>
        <source>failure</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="65"/>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="68"/>
        <source>Show the log of</source>
        <translation>显示以下对象的日志</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="70"/>
        <source>All workers</source>
        <translation>所有工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="71"/>
        <source>The run only</source>
        <translation>仅运行消息</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="73"/>
        <source>Filter…</source>
        <translation>筛选…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="74"/>
        <source>Filter the log</source>
        <translation>筛选日志</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="76"/>
        <source>&amp;Problems only</source>
        <translation>仅显示问题(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="78"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="79"/>
        <source>Empty the log panel</source>
        <translation>清空日志面板</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="85"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="167"/>
        <source>state: {0}</source>
        <translation>状态：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="179"/>
        <source>{0} failed ({1}): {2}</source>
        <translation>{0} 失败（{1}）：{2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="187"/>
        <source>started: pid {0}, Python {1}, device {2}</source>
        <translation>已启动：进程 ID {0}，Python {1}，设备 {2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="195"/>
        <source>{0} ready: loaded in {1}, memory {2}</source>
        <translation>{0} 就绪：加载用时 {1}，内存 {2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="205"/>
        <source>exits: {0}</source>
        <translation>退出：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="211"/>
        <source>run finished: {0} done, {1} failed, {2} cancelled in {3}</source>
        <translation>运行结束：{0} 个完成，{1} 个失败，{2} 个取消，用时 {3}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="218"/>
        <source> (cancelled)</source>
        <translation>（已取消）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="265"/>
        <source>worker {0}</source>
        <translation>工作进程 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="265"/>
        <source>run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/log_panel.py" line="271"/>
        <source>Worker {0}</source>
        <translation>工作进程 {0}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="151"/>
        <source>Drop a folder to begin</source>
        <translation>拖入一个文件夹即可开始</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="170"/>
        <source>&amp;Open folder…</source>
        <translation>打开文件夹(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="173"/>
        <source>Open a dataset folder or a cloning project folder (Ctrl+O)</source>
        <translation>打开数据集文件夹或克隆项目文件夹 (Ctrl+O)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="177"/>
        <location filename="../../localclip/gui/main_window.py" line="235"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="180"/>
        <source>Run every folder that is ready, one after another (F5)</source>
        <translation>依次运行所有就绪的文件夹 (F5)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="184"/>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="187"/>
        <source>Stop the run; what is finished is kept (Shift+F5)</source>
        <translation>停止运行；已完成的结果会保留 (Shift+F5)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="191"/>
        <source>Check &amp;workers</source>
        <translation>检查工作进程(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="194"/>
        <source>Start every planned worker once and report what it can do</source>
        <translation>将计划中的每个工作进程启动一次，并报告其能力</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="198"/>
        <source>Manage &amp;models…</source>
        <translation>管理模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="198"/>
        <source>Download models, or check the ones you have</source>
        <translation>下载模型，或检查已有的模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="201"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="203"/>
        <source>&amp;About LocalClip</source>
        <translation>关于 LocalClip(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="205"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="207"/>
        <source>&amp;Clear the list</source>
        <translation>清空列表(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="211"/>
        <source>&amp;Folder</source>
        <translation>文件夹(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="212"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="213"/>
        <source>&amp;Workers</source>
        <translation>工作进程(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="214"/>
        <source>&amp;Log</source>
        <translation>日志(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="215"/>
        <source>Re&amp;view</source>
        <translation>审听(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="216"/>
        <source>S&amp;peakers</source>
        <translation>说话人(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="225"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="227"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="233"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="238"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="244"/>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="247"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="253"/>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="274"/>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="275"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="299"/>
        <source>Workers</source>
        <translation>工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="300"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="301"/>
        <source>Review</source>
        <translation>审听</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="302"/>
        <source>Speakers</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="306"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="423"/>
        <source>LocalClip</source>
        <translation>LocalClip</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="424"/>
        <source>Part of the window could not be loaded: {error}</source>
        <translation>窗口的部分内容无法加载：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="448"/>
        <source>{folder} no longer exists: taken off the recent list</source>
        <translation>{folder} 已不存在：已从最近打开列表中移除</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="476"/>
        <source>{folder} is gone since the last session: dropped from the list</source>
        <translation>{folder} 自上次会话以来已不存在：已从列表中移除</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="576"/>
        <source>Opened {folder}</source>
        <translation>已打开 {folder}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="592"/>
        <source>{name} (missing)</source>
        <translation>{name}（缺失）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="607"/>
        <source>{name} cannot be used: {error}</source>
        <translation>{name} 无法使用：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="609"/>
        <source>{name} is ready to run</source>
        <translation>{name} 已可以运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="634"/>
        <location filename="../../localclip/gui/main_window.py" line="638"/>
        <source>Start over</source>
        <translation>重新开始</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="636"/>
        <source>Compute the embedding of every clip of {name} again? The results already there are replaced.</source>
        <translation>要重新计算 {name} 中所有片段的嵌入吗？现有结果将被替换。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="665"/>
        <source>Drop folders, not files: a dataset folder or a cloning project folder</source>
        <translation>请拖入文件夹而不是文件：数据集文件夹或克隆项目文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="689"/>
        <source>A run of this project is going on</source>
        <translation>此项目正在运行中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="690"/>
        <source>Embedding</source>
        <translation>正在提取嵌入</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="690"/>
        <source>Cloning</source>
        <translation>正在克隆</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="691"/>
        <source>{what} {name}</source>
        <translation>{what}：{name}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="693"/>
        <source>{what} {folder} with {python}</source>
        <translation>{what}：{folder}，使用 {python}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="743"/>
        <source>Checking the workers</source>
        <translation>正在检查工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="813"/>
        <source>Idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="814"/>
        <source>Preparing</source>
        <translation>准备中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="815"/>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="816"/>
        <source>Cancelling</source>
        <translation>正在取消</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="817"/>
        <source>Finishing</source>
        <translation>正在收尾</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="818"/>
        <source>Stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="827"/>
        <source>Nothing to run yet: drop a dataset or a cloning project folder on the window.</source>
        <translation>暂无可运行的内容：请将数据集或克隆项目文件夹拖到窗口中。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/main_window.py" line="828"/>
        <source>Ready to run: %n folder(s). Press Run (F5).</source>
        <translation>
            <numerusform>%n 个文件夹已就绪。按“运行”(F5) 开始。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="842"/>
        <source>About LocalClip</source>
        <translation>关于 LocalClip</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="844"/>
        <source>&lt;b&gt;LocalClip {version}&lt;/b&gt;&lt;p&gt;Speaker embeddings and voice cloning on your own GPUs, for video editors.&lt;/p&gt;</source>
        <translation>&lt;b&gt;LocalClip {version}&lt;/b&gt;&lt;p&gt;在您自己的 GPU 上完成说话人嵌入与声音克隆，专为视频剪辑师打造。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="903"/>
        <source>A run is going on</source>
        <translation>正在运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="905"/>
        <source>Stop the run and close LocalClip? What is finished is kept: run the folder again to resume.</source>
        <translation>要停止运行并关闭 LocalClip 吗？已完成的结果会保留：再次运行该文件夹即可继续。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="907"/>
        <source>Stop and close</source>
        <translation>停止并关闭</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="924"/>
        <source>Stopping the workers…</source>
        <translation>正在停止工作进程…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="961"/>
        <source>CUDA usable</source>
        <translation>CUDA 可用</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="963"/>
        <source>no CUDA device</source>
        <translation>无 CUDA 设备</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/main_window.py" line="964"/>
        <source>worker {worker}: Python {python}, torch {torch}, {cuda}</source>
        <translation>工作进程 {worker}：Python {python}，torch {torch}，{cuda}</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../../localclip/gui/messages.py" line="20"/>
        <source>the folder {folder} does not exist</source>
        <translation>文件夹 {folder} 不存在</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="21"/>
        <source>{folder} is a file, not a folder: drop the folder that holds the speaker folders</source>
        <translation>{folder} 是文件而不是文件夹：请拖入包含各说话人文件夹的那个文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="25"/>
        <location filename="../../localclip/gui/messages.py" line="114"/>
        <source>cannot read the folder {folder}: {error}</source>
        <translation>无法读取文件夹 {folder}：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="26"/>
        <source>the folder {folder} is empty</source>
        <translation>文件夹 {folder} 为空</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="27"/>
        <source>cannot read the folder {folder}: {error}; its clips were left out</source>
        <translation>无法读取文件夹 {folder}：{error}；其中的片段已略过</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="31"/>
        <source>empty dataset folder {folder}: no speaker folders</source>
        <translation>数据集文件夹 {folder} 为空：没有说话人文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="35"/>
        <source>folder {folder} is nested deeper than the layout allows; its contents were left out</source>
        <translation>文件夹 {folder} 的嵌套层级超出了布局允许的深度；其内容已略过</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="39"/>
        <source>empty speaker folder {folder}: no audio files</source>
        <translation>说话人文件夹 {folder} 为空：没有音频文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="43"/>
        <source>skipped the link {folder}: links are not followed</source>
        <translation>已跳过链接 {folder}：不跟随链接</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="47"/>
        <source>ignored {count} non-audio file(s) {extension}: {examples}</source>
        <translation>已忽略 {count} 个非音频文件 {extension}：{examples}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="51"/>
        <source>(no extension)</source>
        <translation>（无扩展名）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="52"/>
        <source>{count} audio file(s) lie directly in {folder}: {examples}. A dataset folder holds one folder per speaker; if this is one speaker&apos;s folder, drop the folder above it instead.</source>
        <translation>{count} 个音频文件直接位于 {folder} 中：{examples}。数据集文件夹中每个说话人各有一个文件夹；如果这是某个说话人的文件夹，请改为拖入它的上一级文件夹。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="57"/>
        <source>{folder} mixes the two layouts: {speaker_count} folder(s) hold audio files directly (speaker folders): {speakers}; {dataset_count} folder(s) hold folders of audio files (dataset folders): {datasets}. Use &lt;root&gt;/&lt;speaker&gt;/&lt;clip&gt; or &lt;root&gt;/&lt;dataset&gt;/&lt;speaker&gt;/&lt;clip&gt; throughout.</source>
        <translation>{folder} 混用了两种布局：{speaker_count} 个文件夹直接包含音频文件（说话人文件夹）：{speakers}；{dataset_count} 个文件夹包含存放音频文件的文件夹（数据集文件夹）：{datasets}。请统一使用 &lt;root&gt;/&lt;speaker&gt;/&lt;clip&gt; 或 &lt;root&gt;/&lt;dataset&gt;/&lt;speaker&gt;/&lt;clip&gt;。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="64"/>
        <source>no audio files ({extensions}) found in {folder} as &lt;root&gt;/&lt;speaker&gt;/&lt;clip&gt; or &lt;root&gt;/&lt;dataset&gt;/&lt;speaker&gt;/&lt;clip&gt;</source>
        <translation>在 {folder} 中未按 &lt;root&gt;/&lt;speaker&gt;/&lt;clip&gt; 或 &lt;root&gt;/&lt;dataset&gt;/&lt;speaker&gt;/&lt;clip&gt; 找到音频文件（{extensions}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="69"/>
        <source>{message}; {count} problem(s), first: {first}</source>
        <translation>{message}；共 {count} 个问题，第一个：{first}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="70"/>
        <source>unreadable audio: {error}</source>
        <translation>无法读取的音频：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="71"/>
        <source>{folder} is the root of a drive or file system, not a dataset or a project: drop the folder that holds the speaker folders (results are never written at the top of a drive)</source>
        <translation>{folder} 是驱动器或文件系统的根目录，不是数据集或项目：请拖入包含各说话人文件夹的那个文件夹（结果绝不会写入驱动器的根目录）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="76"/>
        <source>{folder} is the root of a drive or file system: results are never written there; choose a folder inside it</source>
        <translation>{folder} 是驱动器或文件系统的根目录：结果绝不会写入此处；请选择其中的一个文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="81"/>
        <source>{folder} is the temporary folder, which holds other programs&apos; files: is it really the dataset or project?</source>
        <translation>{folder} 是临时文件夹，其中存放着其他程序的文件：它真的是数据集或项目吗？</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="86"/>
        <source>{folder} is your home folder, not a dataset or a project: reading it lists every folder in it</source>
        <translation>{folder} 是您的主文件夹，不是数据集或项目：读取它会列出其中的每一个文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="90"/>
        <source>{folder} is your {name} folder itself, not a dataset or a project inside it: is it really the one you meant?</source>
        <translation>{folder} 是您的“{name}”文件夹本身，而不是其中的数据集或项目：确定要选的是它吗？</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="95"/>
        <source>{problems} problem(s) for {items} usable item(s): this folder does not look like a dataset or a project; see the problems below</source>
        <translation>{problems} 个问题，可用项却只有 {items} 个：此文件夹看起来不像数据集或项目；请查看下方的问题</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="100"/>
        <source>the project folder {folder} does not exist or is not a folder</source>
        <translation>项目文件夹 {folder} 不存在或不是文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="104"/>
        <source>{folder} has no speakers/ folder: put each speaker&apos;s reference audio and its transcript in speakers/&lt;speaker&gt;/ (for example speakers/anna/hello.wav with hello.lab)</source>
        <translation>{folder} 中没有 speakers/ 文件夹：请把每个说话人的参考音频及其转写文本放在 speakers/&lt;speaker&gt;/ 中（例如 speakers/anna/hello.wav 配 hello.lab）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="109"/>
        <source>{folder} holds no speaker folders: make one folder per speaker holding a reference recording and its transcript</source>
        <translation>{folder} 中没有说话人文件夹：请为每个说话人建一个文件夹，放入一段参考录音及其转写文本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="115"/>
        <source>{count} file(s) lie directly in speakers/ and were ignored ({names}): put each speaker&apos;s files in speakers/&lt;speaker&gt;/</source>
        <translation>{count} 个文件直接位于 speakers/ 中，已忽略（{names}）：请把每个说话人的文件放在 speakers/&lt;speaker&gt;/ 中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="120"/>
        <source>{names} and {count} more</source>
        <translation>{names} 等另外 {count} 个</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="121"/>
        <source>{error}; the speaker was left out</source>
        <translation>{error}；已略过该说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="122"/>
        <source>a transcript without its audio ({stem} with {extensions})</source>
        <translation>转写文本没有对应的音频（{stem}，应为 {extensions} 之一）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="126"/>
        <source>no reference audio ({extensions}): the speaker&apos;s lines cannot be generated</source>
        <translation>没有参考音频（{extensions}）：无法生成该说话人的台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="130"/>
        <source>no usable reference: the speaker&apos;s lines cannot be generated</source>
        <translation>没有可用的参考音频：无法生成该说话人的台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="134"/>
        <source>no transcript: add {stem}.lab (or .txt) with the words spoken in it</source>
        <translation>没有转写文本：请添加 {stem}.lab（或 .txt），写入其中所说的话</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="138"/>
        <source>the audio is empty</source>
        <translation>音频为空</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="139"/>
        <source>unreadable transcript: {error}</source>
        <translation>无法读取转写文本：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="140"/>
        <source>the transcript is empty: write the words spoken in the reference</source>
        <translation>转写文本为空：请写入参考音频中所说的话</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="144"/>
        <source>{folder} has no script: add script.csv, script.tsv or script.jsonl (columns id, speaker, text) or an .srt subtitle file whose cues start with the speaker&apos;s name</source>
        <translation>{folder} 中没有脚本：请添加 script.csv、script.tsv 或 script.jsonl（列为 id、speaker、text），或一个每条字幕以说话人名字开头的 .srt 字幕文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="149"/>
        <source>{count} script files found; using {chosen} and ignoring {others}</source>
        <translation>找到 {count} 个脚本文件；使用 {chosen}，忽略 {others}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="153"/>
        <source>cannot read the script {path}: {error}</source>
        <translation>无法读取脚本 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="154"/>
        <source>{name} is not a readable table: {error}</source>
        <translation>{name} 不是可读取的表格：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="155"/>
        <source>{name} is not UTF-8 text (byte {byte}): save it as UTF-8 (in Excel: &apos;CSV UTF-8&apos;)</source>
        <translation>{name} 不是 UTF-8 文本（第 {byte} 字节）：请另存为 UTF-8（在 Excel 中选择“CSV UTF-8”）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="159"/>
        <source>{name} needs a header row with the columns id, speaker, text (in any order); missing {missing}, found {found}</source>
        <translation>{name} 需要一个包含 id、speaker、text 列（顺序不限）的表头行；缺少 {missing}，找到的是 {found}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="164"/>
        <source>nothing</source>
        <translation>空</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="165"/>
        <source>not a JSON object ({error}); the line was skipped</source>
        <translation>不是 JSON 对象（{error}）；已跳过该行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="166"/>
        <source>not a JSON object with id, speaker, text; the line was skipped</source>
        <translation>不是包含 id、speaker、text 的 JSON 对象；已跳过该行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="170"/>
        <source>not a subtitle cue (a cue number, then &apos;start --&gt; end&apos;, then text); skipped</source>
        <translation>不是字幕条目（应依次为条目编号、“开始 --&gt; 结束”和文本）；已跳过</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="174"/>
        <source>the cue timing {timing} is not &apos;HH:MM:SS,mmm --&gt; HH:MM:SS,mmm&apos; with the end after the start; skipped</source>
        <translation>字幕时间 {timing} 不是“HH:MM:SS,mmm --&gt; HH:MM:SS,mmm”格式，或结束时间不晚于开始时间；已跳过</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="179"/>
        <source>the script holds no lines</source>
        <translation>脚本中没有台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="180"/>
        <source>{problem}; the line was skipped</source>
        <translation>{problem}；已跳过该台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="181"/>
        <source>duplicate id {id} (first at {first}); this line was skipped</source>
        <translation>编号 {id} 重复（首次出现在 {first}）；已跳过这条台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="185"/>
        <source>line {line}: {reason}</source>
        <translation>台词 {line}：{reason}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="186"/>
        <source>the cue has no speaker: start its text with &apos;Name:&apos; or &apos;[Name]&apos;</source>
        <translation>该字幕条目没有说话人：请以“Name:”或“[Name]”开头</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="190"/>
        <source>no speaker</source>
        <translation>没有说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="191"/>
        <source>unknown speaker {speaker} (speakers: {known})</source>
        <translation>未知的说话人 {speaker}（已有说话人：{known}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="192"/>
        <source>the speaker {speaker} has no usable reference</source>
        <translation>说话人 {speaker} 没有可用的参考音频</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="196"/>
        <source>empty text</source>
        <translation>文本为空</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="197"/>
        <source>no id</source>
        <translation>没有编号</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="198"/>
        <source>the id {id} cannot be a file name ({error})</source>
        <translation>编号 {id} 不能用作文件名（{error}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="199"/>
        <source>the id {id} cannot be a file name on Windows (no &lt;&gt;:&quot;|?*, no trailing dot, no CON...)</source>
        <translation>编号 {id} 在 Windows 上不能用作文件名（不能含 &lt;&gt;:&quot;|?*，不能以句点结尾，不能是 CON 等保留名）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="203"/>
        <source>the id {id} ends like a take file name (.take2): rename it</source>
        <translation>编号 {id} 的结尾像版本文件名（.take2）：请重命名</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="207"/>
        <source>line {line}: the chosen reference {reference} of {speaker} is gone; all of its references are used</source>
        <translation>台词 {line}：所选的 {speaker} 的参考音频 {reference} 已不存在；将使用其全部参考音频</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="211"/>
        <source>{path} cannot be read: {error}</source>
        <translation>无法读取 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="212"/>
        <source>{path} is damaged ({error}): fix or delete it (the line edits made in the review are then lost; the script is unchanged)</source>
        <translation>{path} 已损坏（{error}）：请修复或删除它（删除后，在审听中对台词所做的修改将丢失；脚本不受影响）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="217"/>
        <source>line {line}: the new text is empty</source>
        <translation>台词 {line}：新文本为空</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="218"/>
        <source>line {line}: {name} is not the file name of a reference recording</source>
        <translation>台词 {line}：{name} 不是参考录音的文件名</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="222"/>
        <source>not a line id: {line}</source>
        <translation>不是台词编号：{line}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="223"/>
        <source>The nvidia-ml-py package (pynvml) is not installed, so NVIDIA GPUs cannot be detected.</source>
        <translation>未安装 nvidia-ml-py 软件包（pynvml），因此无法检测 NVIDIA GPU。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="227"/>
        <source>No usable NVIDIA driver found (NVML could not start: {error}).</source>
        <translation>未找到可用的 NVIDIA 驱动（NVML 无法启动：{error}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="231"/>
        <source>NVML started but could not count the GPUs ({error}).</source>
        <translation>NVML 已启动，但无法统计 GPU 数量（{error}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="235"/>
        <source>GPU {index} could not be read and was left out ({error}).</source>
        <translation>无法读取 GPU {index}，已将其略过（{error}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="239"/>
        <source>1 worker</source>
        <translation>1 个工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="240"/>
        <source>{count} workers</source>
        <translation>{count} 个工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="241"/>
        <source>GPU {index} {name} {total}: {usable} usable -&gt; {workers}</source>
        <translation>GPU {index} {name} {total}：可用 {usable} -&gt; {workers}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="245"/>
        <source>GPU {index} {name} {total}: {usable} usable -&gt; {workers} (needs {memory} per worker)</source>
        <translation>GPU {index} {name} {total}：可用 {usable} -&gt; {workers}（每个工作进程需要 {memory}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="249"/>
        <source>GPU {index} {name} {total}: {usable} usable -&gt; {workers} (at most {count} per GPU for this job)</source>
        <translation>GPU {index} {name} {total}：可用 {usable} -&gt; {workers}（此任务每块 GPU 最多 {count} 个）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="253"/>
        <source>No NVIDIA GPU found</source>
        <translation>未找到 NVIDIA GPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="254"/>
        <source>No GPU has {memory} free for a worker</source>
        <translation>没有 GPU 能为工作进程空出 {memory}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="255"/>
        <source>{reason}: running on CPU</source>
        <translation>{reason}：使用 CPU 运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="256"/>
        <source>CPU: {workers}</source>
        <translation>CPU：{workers}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="257"/>
        <source>CPU: {workers} (device set to cpu)</source>
        <translation>CPU：{workers}（设备设为 cpu）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="258"/>
        <source>capped at {workers} by the maximum setting</source>
        <translation>受最大值设置限制为 {workers}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="259"/>
        <source>capped at {workers}: {memory} of free memory holds no more</source>
        <translation>限制为 {workers}：{memory} 的可用内存容纳不下更多</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="262"/>
        <source>capped at {workers}: {items}</source>
        <translation>限制为 {workers}：{items}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="263"/>
        <source>no work to do</source>
        <translation>没有要处理的工作</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="264"/>
        <source>only 1 item of work</source>
        <translation>只有 1 项工作</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="265"/>
        <source>only {count} items of work</source>
        <translation>只有 {count} 项工作</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="266"/>
        <source>The device is set to cuda, but no GPU can take a worker:
{details}</source>
        <translation>设备设为 cuda，但没有 GPU 能容纳工作进程：
{details}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="270"/>
        <source>Model folder not found: {folder}</source>
        <translation>未找到模型文件夹：{folder}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="271"/>
        <source>{folder} is not a WeSpeaker model folder: missing {missing} (it needs {needed})</source>
        <translation>{folder} 不是 WeSpeaker 模型文件夹：缺少 {missing}（需要 {needed}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="275"/>
        <source>{path} is not valid YAML: {error}</source>
        <translation>{path} 不是有效的 YAML：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="276"/>
        <source>{path} has no &apos;model&apos; name and &apos;model_args&apos; section</source>
        <translation>{path} 缺少 &apos;model&apos; 名称和 &apos;model_args&apos; 部分</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="280"/>
        <source>{path}: model_args.embed_dim must be a positive integer</source>
        <translation>{path}：model_args.embed_dim 必须是正整数</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="284"/>
        <source>Checkpoint folder not found: {folder}</source>
        <translation>未找到检查点文件夹：{folder}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="285"/>
        <source>{folder} is not a fish-speech checkpoint folder: missing {missing} (it needs {needed} and the codec, codec.pth)</source>
        <translation>{folder} 不是 fish-speech 检查点文件夹：缺少 {missing}（需要 {needed} 以及编解码器 codec.pth）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="290"/>
        <source>{folder} is not a Whisper model folder: missing {missing} (it needs {needed})</source>
        <translation>{folder} 不是 Whisper 模型文件夹：缺少 {missing}（需要 {needed}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="294"/>
        <source>{path} describes a {kind} model, not Whisper (model_type &apos;whisper&apos;): the take check&apos;s recogniser is a Whisper model</source>
        <translation>{path} 描述的是 {kind} 模型，而不是 Whisper（model_type &apos;whisper&apos;）：版本检查的语音识别模型须为 Whisper 模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="299"/>
        <source>{path} is not a valid JSON object: {error}</source>
        <translation>{path} 不是有效的 JSON 对象：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="300"/>
        <source>voice {voice}, other speakers up to {other}{who}</source>
        <translation>声音 {voice}，其他说话人最高 {other}{who}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="301"/>
        <source>voice {voice}, expected {floor} or more (the nearest voice, {where}is {apart} away)</source>
        <translation>声音 {voice}，应不低于 {floor}（最接近的声音 {where}相距 {apart}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="304"/>
        <source>{errors} of {units} {noun} wrong</source>
        <translation>{units} 个{noun}中错了 {errors} 个</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="305"/>
        <source>{errors} errors in {units} {noun}</source>
        <translation>{units} 个{noun}中有 {errors} 处错误</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="306"/>
        <source>{errors} {noun} heard, the line has none</source>
        <translation>听到 {errors} 个{noun}，而该行没有文字</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="307"/>
        <source>{seconds} s of silence at {at} s</source>
        <translation>在 {at} 秒处有 {seconds} 秒静音</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="308"/>
        <source>clipped ({count} {noun})</source>
        <translation>削波（{count} 个{noun}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="309"/>
        <source>{value} s per character, {speaker}&apos;s takes average {mean}</source>
        <translation>每字 {value} 秒，{speaker} 的版本平均为 {mean}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="310"/>
        <source>ran to the token limit</source>
        <translation>达到了词元上限</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="311"/>
        <source>word</source>
        <translation>词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="312"/>
        <source>words</source>
        <translation>词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="313"/>
        <source>character</source>
        <translation>字</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="314"/>
        <source>characters</source>
        <translation>字</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="315"/>
        <source>sample</source>
        <translation>样本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="316"/>
        <source>samples</source>
        <translation>样本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="317"/>
        <source>{folder}: fish-speech cannot load from a path containing &apos;int8&apos; or &apos;int4&apos;</source>
        <translation>{folder}：fish-speech 无法从包含 &apos;int8&apos; 或 &apos;int4&apos; 的路径加载</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="321"/>
        <source>{folder}: fish-speech cannot load from a path containing &apos;int8&apos; or &apos;int4&apos;; choose another</source>
        <translation>{folder}：fish-speech 无法从包含 &apos;int8&apos; 或 &apos;int4&apos; 的路径加载；请另选一个</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="325"/>
        <source>{folder} holds no model LocalClip knows: a WeSpeaker folder has {wespeaker}; a Fish-Speech folder has {fish}</source>
        <translation>{folder} 中没有 LocalClip 能识别的模型：WeSpeaker 文件夹包含 {wespeaker}；Fish-Speech 文件夹包含 {fish}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="330"/>
        <source>{name} is missing</source>
        <translation>缺少 {name}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="331"/>
        <source>{name} has {actual} bytes, expected {expected} (truncated or replaced)</source>
        <translation>{name} 大小为 {actual} 字节，应为 {expected} 字节（被截断或替换）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="335"/>
        <source>{name} is damaged: its {algorithm} checksum does not match</source>
        <translation>{name} 已损坏：其 {algorithm} 校验和不匹配</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="339"/>
        <source>Speaker embeddings, 256 dimensions. Fast; the usual choice.</source>
        <translation>说话人嵌入，256 维。速度快，通常的首选。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="343"/>
        <location filename="../../localclip/gui/messages.py" line="352"/>
        <location filename="../../localclip/gui/messages.py" line="362"/>
        <source>CC BY 4.0 (the VoxCeleb licence, which WeSpeaker&apos;s pretrained models follow): free to use, also commercially, with attribution.</source>
        <translation>CC BY 4.0（VoxCeleb 的许可协议，WeSpeaker 的预训练模型沿用此协议）：可免费使用，也可用于商业用途，但须注明出处。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="348"/>
        <source>Speaker embeddings, 256 dimensions. More accurate, about 4.7 times the compute of ResNet34.</source>
        <translation>说话人嵌入，256 维。更准确，计算量约为 ResNet34 的 4.7 倍。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="357"/>
        <source>Speaker embeddings, 512 dimensions. About a quarter of ResNet34&apos;s compute, but on a GPU it batches only clips of equal length, so mixed-length datasets run one clip per pass.</source>
        <translation>说话人嵌入，512 维。计算量约为 ResNet34 的四分之一，但在 GPU 上只能将等长的片段合并成批处理，因此长度不一的数据集每次只能处理一个片段。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="367"/>
        <source>Voice cloning (0.5 B parameters). Needs a Hugging Face access token.</source>
        <translation>声音克隆（0.5 B 参数）。需要 Hugging Face 访问令牌。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/messages.py" line="371"/>
        <source>Fish Audio&apos;s licence on the model page (CC BY-NC-SA 4.0 when this was written: non-commercial use only). You accept it on the model page before downloading.</source>
        <translation>Fish Audio 在模型页面上的许可协议（撰写本文时为 CC BY-NC-SA 4.0：仅限非商业用途）。下载前请在模型页面上接受该协议。</translation>
    </message>
</context>
<context>
    <name>ModelFolderRow</name>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="126"/>
        <source>No folder chosen</source>
        <translation>未选择文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="127"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
</context>
<context>
    <name>ModelManagerDialog</name>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="63"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="64"/>
        <source>Used for</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="65"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="66"/>
        <location filename="../../localclip/gui/model_manager.py" line="320"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="67"/>
        <source>In use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="95"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="111"/>
        <source>LocalClip needs a WeSpeaker model to tell voices apart and a Fish-Speech model to clone them. Download them here, or use folders you already have.</source>
        <translation>LocalClip 需要 WeSpeaker 模型来区分声音，需要 Fish-Speech 模型来克隆声音。可在此下载，也可以使用已有的模型文件夹。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="129"/>
        <source>Details</source>
        <translation>详细信息</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="171"/>
        <source>hf_… (your Hugging Face access token)</source>
        <translation>hf_…（您的 Hugging Face 访问令牌）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="172"/>
        <source>Get a token</source>
        <translation>获取令牌</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="175"/>
        <source>Access token:</source>
        <translation>访问令牌：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="181"/>
        <location filename="../../localclip/gui/model_manager.py" line="334"/>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="182"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="183"/>
        <source>Use</source>
        <translation>使用</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="184"/>
        <source>Use a folder I already have…</source>
        <translation>使用已有的文件夹…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="189"/>
        <source>Demo models…</source>
        <translation>演示模型…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="190"/>
        <source>Models with random weights, built here, to try LocalClip</source>
        <translation>在本机构建的随机权重模型，用于试用 LocalClip</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="232"/>
        <location filename="../../localclip/gui/model_manager.py" line="271"/>
        <source>Voices (embeddings)</source>
        <translation>区分声音（嵌入）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="234"/>
        <location filename="../../localclip/gui/model_manager.py" line="271"/>
        <source>Voice cloning</source>
        <translation>声音克隆</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="237"/>
        <location filename="../../localclip/gui/model_manager.py" line="276"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="244"/>
        <source>Downloads go to: {0}</source>
        <translation>下载位置：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="247"/>
        <location filename="../../localclip/gui/model_manager.py" line="459"/>
        <location filename="../../localclip/gui/model_manager.py" line="495"/>
        <source>WeSpeaker model</source>
        <translation>WeSpeaker 模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="247"/>
        <location filename="../../localclip/gui/model_manager.py" line="459"/>
        <location filename="../../localclip/gui/model_manager.py" line="495"/>
        <source>Fish-Speech model</source>
        <translation>Fish-Speech 模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="248"/>
        <source>none chosen yet</source>
        <translation>尚未选择</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="250"/>
        <source>(demo model, random weights)</source>
        <translation>（演示模型，随机权重）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="270"/>
        <source>Demo model (random weights)</source>
        <translation>演示模型（随机权重）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="273"/>
        <source>Built</source>
        <translation>已构建</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="300"/>
        <source>Not installed</source>
        <translation>未安装</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="301"/>
        <source>Partly downloaded</source>
        <translation>部分已下载</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="302"/>
        <source>Installed and verified</source>
        <translation>已安装并校验</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="304"/>
        <source>Installed</source>
        <translation>已安装</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="275"/>
        <location filename="../../localclip/gui/model_manager.py" line="305"/>
        <source>Broken: {0}</source>
        <translation>已损坏：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="317"/>
        <source>Gated: accept the licence on the model page while logged in to Hugging Face, then give your access token below.</source>
        <translation>受限模型：请登录 Hugging Face，在模型页面上接受许可协议，然后在下方填写您的访问令牌。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="320"/>
        <source>Licence</source>
        <translation>许可协议</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="320"/>
        <source>Model page</source>
        <translation>模型页面</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="331"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="332"/>
        <source>Repair</source>
        <translation>修复</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="364"/>
        <source>{0} is gated: accept the licence at {1} and give your access token.</source>
        <translation>{0} 为受限模型：请在 {1} 接受许可协议，并填写您的访问令牌。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="376"/>
        <source>Downloading {0}…</source>
        <translation>正在下载 {0}…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="377"/>
        <source>Asking the hub for the files…</source>
        <translation>正在向模型仓库查询文件…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="395"/>
        <source>{0}: {1} of {2}</source>
        <translation>{0}：{1} / {2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="399"/>
        <source>, {0}/s</source>
        <translation>，{0}/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="409"/>
        <source>Paused. What arrived is kept; Resume continues from there.</source>
        <translation>已暂停。已下载的部分会保留；点击“继续”可从断点处接着下载。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="414"/>
        <source>The download stopped unexpectedly (exit code {0}).</source>
        <translation>下载意外中止（退出代码 {0}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="423"/>
        <source>{0} is downloaded and verified.</source>
        <translation>{0} 已下载并校验。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="426"/>
        <source>LocalClip uses it now.</source>
        <translation>LocalClip 现在使用该模型。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="428"/>
        <source>Click Use to work with it.</source>
        <translation>点击“使用”即可启用。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="440"/>
        <source>LocalClip uses {0} now.</source>
        <translation>LocalClip 现在使用 {0}。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="445"/>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="455"/>
        <source>This folder cannot be used: {0}</source>
        <translation>此文件夹无法使用：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="460"/>
        <source>{0}: LocalClip uses {1} now.</source>
        <translation>{0}：LocalClip 现在使用 {1}。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="475"/>
        <source>Demo models have random weights: LocalClip runs its whole pipeline with them, but the similarities mean nothing and the cloned clips are noise in the shape of speech. Build them?</source>
        <translation>演示模型的权重是随机的：LocalClip 可以用它们跑通完整流程，但相似度没有意义，克隆出的片段只是具有语音形态的噪声。要构建吗？</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="479"/>
        <source>Demo models</source>
        <translation>演示模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="488"/>
        <source>Building the demo models (about a minute)…</source>
        <translation>正在构建演示模型（约需一分钟）…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="496"/>
        <source>Demo models: {0} of {1} built; building the {2}…</source>
        <translation>演示模型：已构建 {0} / {1} 个；正在构建 {2}…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="498"/>
        <source>Demo models: {0} of {1} built</source>
        <translation>演示模型：已构建 {0} / {1} 个</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/model_manager.py" line="506"/>
        <source>Demo models are in {0}.</source>
        <translation>演示模型位于 {0}。</translation>
    </message>
</context>
<context>
    <name>ResumeBanner</name>
    <message>
        <location filename="../../localclip/gui/intake.py" line="179"/>
        <source>Resu&amp;me</source>
        <translation>继续(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="180"/>
        <source>St&amp;art over</source>
        <translation>重新开始(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/intake.py" line="181"/>
        <source>Show res&amp;ults</source>
        <translation>显示结果(&amp;U)</translation>
    </message>
</context>
<context>
    <name>ReviewCommands</name>
    <message>
        <location filename="../../localclip/gui/review_commands.py" line="60"/>
        <source>Keep take {0} of line {1}</source>
        <translation>保留台词 {1} 的第 {0} 版</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_commands.py" line="69"/>
        <source>Trim take {0} of line {1}</source>
        <translation>裁剪台词 {1} 的第 {0} 版</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_commands.py" line="80"/>
        <source>Approve line {0}</source>
        <translation>批准台词 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_commands.py" line="82"/>
        <source>Withdraw the approval of line {0}</source>
        <translation>撤销台词 {0} 的批准</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_commands.py" line="91"/>
        <source>Note on line {0}</source>
        <translation>台词 {0} 的备注</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_commands.py" line="105"/>
        <source>Edit the text of line {0}</source>
        <translation>修改台词 {0} 的文本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_commands.py" line="117"/>
        <source>Choose the reference of line {0}</source>
        <translation>选择台词 {0} 的参考音频</translation>
    </message>
</context>
<context>
    <name>ReviewTableModel</name>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="69"/>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="70"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="71"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="72"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="73"/>
        <source>Take</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="74"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="75"/>
        <source>QA</source>
        <translation>质检</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="76"/>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="79"/>
        <source>very short take</source>
        <translation>版本过短</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="80"/>
        <source>silent take</source>
        <translation>版本无声</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="83"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="84"/>
        <source>text changed</source>
        <translation>文本已更改</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="85"/>
        <source>file missing</source>
        <translation>文件缺失</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="86"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="87"/>
        <source>not generated</source>
        <translation>未生成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="88"/>
        <source>cannot be generated</source>
        <translation>无法生成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="147"/>
        <source>reference changed</source>
        <translation>参考音频已更改</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="150"/>
        <source>done, but {0}</source>
        <translation>已完成，但{0}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review_table.py" line="159"/>
        <source>%n flag(s)</source>
        <translation>
            <numerusform>%n 项标记</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="161"/>
        <source>no file</source>
        <translation>无文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="162"/>
        <source>ok</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="162"/>
        <source>not checked</source>
        <translation>未检查</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="173"/>
        <source>The kept take&apos;s file is missing or cannot be read{0}: there is nothing to check. Make a new take (R).</source>
        <translation>保留版本的文件缺失或无法读取{0}：没有可检查的内容。请生成新版本 (R)。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="177"/>
        <source>The kept take has not been checked yet (voice, words and audio).</source>
        <translation>保留版本尚未检查（声音、文字和音频）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="178"/>
        <source>Nothing to listen for: voice {0:.2f}.</source>
        <translation>没有需要留意的问题：声音 {0:.2f}。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="247"/>
        <source>{0:.1f} s</source>
        <translation>{0:.1f} 秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="251"/>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_table.py" line="279"/>
        <source>Note: {0}</source>
        <translation>备注：{0}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review_table.py" line="283"/>
        <source>Take {0} is kept; the line has %n take(s)</source>
        <translation>
            <numerusform>保留第 {0} 版；这一行共有 %n 个版本</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewView</name>
    <message>
        <location filename="../../localclip/gui/review.py" line="177"/>
        <source>Reading {0}…</source>
        <translation>正在读取 {0}…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="306"/>
        <source>Line {0} has no clip to play ({1}).</source>
        <translation>台词 {0} 没有可播放的片段（{1}）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="346"/>
        <source>No line shown is flagged.</source>
        <translation>当前显示的台词都没有被标记。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="412"/>
        <source>New takes cannot be made now.</source>
        <translation>现在无法生成新版本。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="434"/>
        <source>No new take of line {0}: {1}</source>
        <translation>台词 {0} 未生成新版本：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="572"/>
        <source>Take {0} of line {1} cannot be kept: {2}</source>
        <translation>无法保留台词 {1} 的第 {0} 版：{2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="650"/>
        <source>Nothing was exported: {0}</source>
        <translation>未导出任何内容：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="668"/>
        <source>No project</source>
        <translation>无项目</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="674"/>
        <source>Filter by id, speaker or text</source>
        <translation>按 ID、说话人或文本筛选</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="680"/>
        <source>All lines</source>
        <translation>所有台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="681"/>
        <source>Needs attention</source>
        <translation>需要处理</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="682"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="685"/>
        <source>Flagged by QA</source>
        <translation>质检标记</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="689"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="801"/>
        <source>&amp;Kept take:</source>
        <translation>保留版本(&amp;K)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="810"/>
        <location filename="../../localclip/gui/review.py" line="1004"/>
        <source>&amp;Play</source>
        <translation>播放(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="811"/>
        <source>Play or stop the selected line (Space)</source>
        <translation>播放或停止所选台词 (空格键)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="827"/>
        <source>Export kept takes…</source>
        <translation>导出保留版本…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="829"/>
        <source>Copy the kept take of every line shown into a folder, with lines.csv describing them</source>
        <translation>将当前显示的每句台词的保留版本复制到一个文件夹，并附带说明它们的 lines.csv</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="939"/>
        <source>This project has no lines yet.</source>
        <translation>此项目还没有台词。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1256"/>
        <source>Its file is missing: {0}</source>
        <translation>其文件缺失：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1257"/>
        <source>Seed {0}</source>
        <translation>随机种子 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1288"/>
        <source>{0:.1f} s</source>
        <translation>{0:.1f} 秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1291"/>
        <source>file missing</source>
        <translation>文件缺失</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1293"/>
        <source>not checked</source>
        <translation>未检查</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1295"/>
        <source>voice {0:.2f}</source>
        <translation>声音 {0:.2f}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1297"/>
        <source>{0}/{1} characters</source>
        <translation>错 {0}/{1} 字</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1297"/>
        <source>{0}/{1} words</source>
        <translation>错 {0}/{1} 词</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="1300"/>
        <source>%n flag(s)</source>
        <translation>
            <numerusform>%n 项标记</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1302"/>
        <source>ok</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1304"/>
        <source>{0} (kept)</source>
        <translation>{0}（保留）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1315"/>
        <source>Listen to the kept take before trusting it: {0}.</source>
        <translation>采用保留版本之前请先听一遍：{0}。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1416"/>
        <source>{0} flagged</source>
        <translation>{0} 句被标记</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="425"/>
        <location filename="../../localclip/gui/review.py" line="949"/>
        <source>queued</source>
        <translation>已排队</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="390"/>
        <source>A: take {0} · B: take {1} · now {2} (take {3})</source>
        <translation>A：第 {0} 版 · B：第 {1} 版 · 当前 {2}（第 {3} 版）</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="430"/>
        <source>New takes of %n line(s) queued.</source>
        <translation>
            <numerusform>已为 %n 句台词排队生成新版本。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="472"/>
        <source>Approve %n line(s)</source>
        <translation>
            <numerusform>批准 %n 句台词</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="474"/>
        <source>Withdraw the approval of %n line(s)</source>
        <translation>
            <numerusform>撤销 %n 句台词的批准</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="509"/>
        <source>The trim of line {0} cannot be kept: it must lie within the take&apos;s {1:.2f} s.</source>
        <translation>无法保留台词 {0} 的裁剪：裁剪范围必须在该版本的 {1:.2f} 秒之内。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="540"/>
        <source>Nothing can be changed now.</source>
        <translation>现在无法进行任何更改。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="582"/>
        <source>The trim of line {0} cannot be kept: {1}</source>
        <translation>无法保留台词 {0} 的裁剪：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="589"/>
        <source>The approval of line {0} cannot be saved: {1}</source>
        <translation>无法保存台词 {0} 的批准状态：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="596"/>
        <source>The note on line {0} cannot be saved: {1}</source>
        <translation>无法保存台词 {0} 的备注：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="631"/>
        <source>The edit of line {0} cannot be saved: {1}</source>
        <translation>无法保存对台词 {0} 的修改：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="683"/>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="684"/>
        <source>Not approved</source>
        <translation>未批准</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="726"/>
        <source>Loudness of the kept take: integrated loudness (LUFS) and sample peak (dBFS)</source>
        <translation>保留版本的响度：综合响度（LUFS）和采样峰值（dBFS）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="39"/>
        <source>The text the line&apos;s next take speaks; its earlier takes keep theirs (Enter saves)</source>
        <translation>这句台词下一个版本要说的文本；之前的版本保留各自的文本（按 Enter 保存）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="49"/>
        <source>The recording of the speaker the line&apos;s next take imitates</source>
        <translation>这句台词下一个版本所模仿的说话人录音</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="57"/>
        <source>A note on this line, for you or the next editor</source>
        <translation>关于这句台词的备注，留给自己或下一位剪辑师</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="61"/>
        <source>Approve&amp;d</source>
        <translation>已批准(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="63"/>
        <source>Approve the selected lines, or take the approval back (A)</source>
        <translation>批准所选台词，或撤销批准 (A)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="71"/>
        <source>The take B plays against the kept take (A)</source>
        <translation>与保留版本（A）对比播放的版本（B）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="78"/>
        <source>Text:</source>
        <translation>文本：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="79"/>
        <source>N&amp;ote:</source>
        <translation>备注(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="86"/>
        <source>Reference:</source>
        <translation>参考音频：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="88"/>
        <source>Compare &amp;with:</source>
        <translation>对比版本(&amp;W)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="813"/>
        <source>Play ne&amp;xt automatically</source>
        <translation>自动播放下一句(&amp;X)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="822"/>
        <source>&amp;New takes</source>
        <translation>生成新版本(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="824"/>
        <source>Make a new take of each selected line; their earlier takes are kept (R)</source>
        <translation>为每句所选台词生成一个新版本；之前的版本会保留 (R)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="881"/>
        <location filename="../../localclip/gui/review.py" line="900"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="884"/>
        <location filename="../../localclip/gui/review.py" line="901"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="900"/>
        <source>&amp;Undo {0}</source>
        <translation>撤销“{0}”(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="901"/>
        <source>&amp;Redo {0}</source>
        <translation>重做“{0}”(&amp;R)</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="945"/>
        <source>{0}: %n line(s) read.</source>
        <translation>
            <numerusform>{0}：已读取 %n 句台词。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="963"/>
        <source>{0} cannot be reviewed: {1}</source>
        <translation>无法审听 {0}：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="968"/>
        <source>Review</source>
        <translation>审听</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="969"/>
        <source>{0} could not be read.</source>
        <translation>无法读取 {0}。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1004"/>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1118"/>
        <source>take {0} queued</source>
        <translation>第 {0} 版已排队</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1126"/>
        <source>making a new take…</source>
        <translation>正在生成新版本…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1138"/>
        <source>Line {0}: take {1} is ready.</source>
        <translation>台词 {0}：第 {1} 版已就绪。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1146"/>
        <source>Line {0}: the new take failed: {1}</source>
        <translation>台词 {0}：新版本生成失败：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1288"/>
        <location filename="../../localclip/gui/review_editor.py" line="123"/>
        <source>Take {0}</source>
        <translation>第 {0} 版</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1311"/>
        <source>{0}: {1}</source>
        <translation>{0}：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1320"/>
        <source>The kept take was made before the line was edited: make a new take (R).</source>
        <translation>保留版本是在台词修改之前生成的：请生成新版本 (R)。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1322"/>
        <source>Listen for: {0}.</source>
        <translation>请留意：{0}。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1325"/>
        <source>The kept take is longer than its subtitle slot ({0:.2f} s).</source>
        <translation>保留版本超出了其字幕时段（{0:.2f} 秒）。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="132"/>
        <source>All of {0}&apos;s references</source>
        <translation>{0} 的全部参考音频</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review_editor.py" line="142"/>
        <source>{0} (missing)</source>
        <translation>{0}（缺失）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1351"/>
        <location filename="../../localclip/gui/review.py" line="1368"/>
        <source>Measuring loudness…</source>
        <translation>正在测量响度…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1370"/>
        <source>Loudness unknown</source>
        <translation>响度未知</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1373"/>
        <source>– LUFS</source>
        <translation>– LUFS</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1373"/>
        <source>{0:.1f} LUFS</source>
        <translation>{0:.1f} LUFS</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1376"/>
        <source>Silent</source>
        <translation>无声</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1378"/>
        <source>{0} · peak {1:.1f} dBFS</source>
        <translation>{0} · 峰值 {1:.1f} dBFS</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="1405"/>
        <source>%n line(s)</source>
        <translation>
            <numerusform>%n 行</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1410"/>
        <source>{0} approved</source>
        <translation>{0} 句已批准</translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/review.py" line="1413"/>
        <source>%n need(s) attention</source>
        <translation>
            <numerusform>%n 行需要处理</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../localclip/gui/review.py" line="1407"/>
        <source>{0} done</source>
        <translation>{0} 句已完成</translation>
    </message>
</context>
<context>
    <name>RunController</name>
    <message>
        <location filename="../../localclip/runs/queue.py" line="118"/>
        <source>Cancelling: stopping the workers…</source>
        <translation>正在取消：正在停止工作进程…</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="154"/>
        <source>Cannot check the workers</source>
        <translation>无法检查工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="164"/>
        <source>The workers cannot start</source>
        <translation>工作进程无法启动</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="169"/>
        <source>Checking the workers…</source>
        <translation>正在检查工作进程…</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="194"/>
        <source>speaker embedding (WeSpeaker)</source>
        <translation>说话人嵌入（WeSpeaker）</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="196"/>
        <source>voice cloning (Fish-Speech)</source>
        <translation>声音克隆（Fish-Speech）</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="200"/>
        <source>No {what} model is chosen. Choose its folder in Settings, or get one with Manage models.</source>
        <translation>尚未选择{what}模型。请在“设置”中选择其文件夹，或通过“管理模型”获取。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="206"/>
        <source>Checking the model…</source>
        <translation>正在检查模型…</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="222"/>
        <source>The model folder could not be checked: {error}</source>
        <translation>无法检查模型文件夹：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="269"/>
        <source>Running {name}…</source>
        <translation>正在运行 {name}…</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="273"/>
        <source>The run cannot start</source>
        <translation>无法开始运行</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="311"/>
        <source>Making one embedding per speaker…</source>
        <translation>正在为每个说话人生成嵌入…</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="335"/>
        <source>Speaker embeddings were not made</source>
        <translation>未能生成说话人嵌入</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="337"/>
        <source>The clips&apos; embeddings are saved, but one embedding per speaker could not be made: {error}</source>
        <translation>片段的嵌入已保存，但无法为每个说话人生成嵌入：{error}</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="379"/>
        <source>Worker check finished: {done} answered, {failed} failed</source>
        <translation>工作进程检查完成：{done} 个响应，{failed} 个失败</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="409"/>
        <source>{name}: stopped: {reason}. Nothing was marked failed; run it again once fixed.</source>
        <translation>{name}：已停止：{reason}。没有任何条目被标记为失败；修正后再次运行即可。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="413"/>
        <source>{name}: cancelled. Run it again to resume where it stopped.</source>
        <translation>{name}：已取消。再次运行即可从中断处继续。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="417"/>
        <source>{name}: {done} clips embedded, {failed} failed, {skipped} already done ({seconds:.1f} s)</source>
        <translation>{name}：已为 {done} 个片段提取嵌入，{failed} 个失败，{skipped} 个此前已完成（{seconds:.1f} 秒）</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="427"/>
        <source>{name}: {done} lines generated, {failed} failed, {up} up to date ({seconds:.1f} s)</source>
        <translation>{name}：已生成 {done} 句台词，{failed} 句失败，{up} 句已是最新（{seconds:.1f} 秒）</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/queue.py" line="437"/>
        <source>; {flagged} still flagged, {retaken} retaken</source>
        <translation>；{flagged} 行仍被标记，{retaken} 行已重新生成</translation>
    </message>
</context>
<context>
    <name>RunProgress</name>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="95"/>
        <source>clips</source>
        <translation>片段</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="96"/>
        <source>lines</source>
        <translation>台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="97"/>
        <source>items</source>
        <translation>项</translation>
    </message>
</context>
<context>
    <name>RunProgressWidget</name>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="593"/>
        <source>Overall progress</source>
        <translation>总体进度</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="594"/>
        <location filename="../../localclip/gui/worker_panes.py" line="636"/>
        <source>Not started</source>
        <translation>未开始</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="661"/>
        <source>Starting the workers…</source>
        <translation>正在启动工作进程…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="683"/>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="691"/>
        <source>{0} of {1} {2} done</source>
        <translation>{2}：已完成 {0} / {1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="695"/>
        <source> · {0} already done before</source>
        <translation> · {0} 个此前已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="697"/>
        <source> · {0} failed</source>
        <translation> · {0} 个失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="705"/>
        <source>{0} tokens/s</source>
        <translation>{0} token/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="707"/>
        <source>took {0}</source>
        <translation>用时 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="709"/>
        <source>about {0} left</source>
        <translation>剩余约 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="711"/>
        <source>{0} elapsed</source>
        <translation>已用时 {0}</translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="239"/>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="246"/>
        <source>&amp;Manage models…</source>
        <translation>管理模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="247"/>
        <source>Download models, or check the ones you have</source>
        <translation>下载模型，或检查已有的模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="281"/>
        <source>Run on:</source>
        <translation>运行于：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="291"/>
        <source>Workers</source>
        <translation>工作进程</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="297"/>
        <source>GPU if there is one, else CPU</source>
        <translation>优先使用 GPU，没有则使用 CPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="298"/>
        <source>GPU only</source>
        <translation>仅 GPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="299"/>
        <source>CPU only</source>
        <translation>仅 CPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="304"/>
        <source>No limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="305"/>
        <source>The most worker processes a run starts, over all GPUs</source>
        <translation>一次运行在所有 GPU 上最多启动的工作进程数</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="308"/>
        <source>GPU memory a voice cloning model instance needs; it decides how many fit on each GPU</source>
        <translation>每个声音克隆模型实例所需的显存；决定每块 GPU 能容纳多少个实例</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="311"/>
        <source>GPU memory a speaker embedding model instance needs</source>
        <translation>每个说话人嵌入模型实例所需的显存</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="312"/>
        <source>Dev&amp;ice:</source>
        <translation>设备(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="319"/>
        <source>Speaker embeddings</source>
        <translation>说话人嵌入</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="322"/>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="323"/>
        <source>Clips per batch on the GPU; automatic grows it to what fits</source>
        <translation>GPU 上每批处理的片段数；设为自动时会增大到显存可容纳的数量</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="327"/>
        <source>Speakers with fewer embedded clips get no speaker embedding</source>
        <translation>已提取嵌入的片段少于此数的说话人不生成说话人嵌入</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="330"/>
        <source>Exact (float32, as WeSpeaker)</source>
        <translation>精确（float32，与 WeSpeaker 相同）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="331"/>
        <source>TF32</source>
        <translation>TF32</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="332"/>
        <source>bfloat16</source>
        <translation>bfloat16</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="333"/>
        <source>float16</source>
        <translation>float16</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="338"/>
        <source>The model&apos;s arithmetic on a GPU; faster modes round more. The CPU computes exact.</source>
        <translation>模型在 GPU 上的运算精度；越快的模式舍入越多。CPU 始终精确计算。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="343"/>
        <source>&amp;Batch size:</source>
        <translation>批大小(&amp;B)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="350"/>
        <source>Voice cloning</source>
        <translation>声音克隆</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="356"/>
        <source>Model&apos;s limit</source>
        <translation>模型上限</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="249"/>
        <source>Speaker embeddings (WeSpeaker):</source>
        <translation>说话人嵌入（WeSpeaker）：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="250"/>
        <source>Voice cloning (Fish-Speech):</source>
        <translation>声音克隆（Fish-Speech）：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="255"/>
        <source>Where runs go</source>
        <translation>运行位置</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="259"/>
        <source>This workstation&apos;s GPUs</source>
        <translation>本工作站的 GPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="260"/>
        <source>A cluster of GPU machines (localclip node)</source>
        <translation>GPU 计算机集群（localclip node）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="265"/>
        <source>The scheduler started with &apos;localclip scheduler&apos; (or any Dask scheduler)</source>
        <translation>用 &apos;localclip scheduler&apos; 启动的调度器（或任何 Dask 调度器）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="272"/>
        <source>TLS, all three or none: the studio&apos;s certificate authority:</source>
        <translation>TLS（三项全填或全不填）：工作室的证书颁发机构：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="273"/>
        <source>This machine&apos;s certificate:</source>
        <translation>本机证书：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="274"/>
        <source>This machine&apos;s private key:</source>
        <translation>本机私钥：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="277"/>
        <source>TLS file</source>
        <translation>TLS 文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="277"/>
        <source>Choose a PEM file</source>
        <translation>选择 PEM 文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="282"/>
        <source>Cluster &amp;scheduler:</source>
        <translation>集群调度器(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="313"/>
        <source>M&amp;aximum workers:</source>
        <translation>最大工作进程数(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="314"/>
        <source>Memory per &amp;cloning instance:</source>
        <translation>每个克隆实例的显存(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="315"/>
        <source>Memory per embedding instance:</source>
        <translation>每个嵌入实例的显存：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="324"/>
        <source>Normalise clips before averaging</source>
        <translation>求平均前先对片段进行归一化</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="344"/>
        <source>&amp;GPU precision:</source>
        <translation>GPU 精度(&amp;G)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="345"/>
        <source>Minimum clips per speaker:</source>
        <translation>每个说话人的最少片段数：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="359"/>
        <source>How freely the model picks each next sound. Lower: steadier, more monotone speech; higher: livelier, but more slips and odd sounds. Fish-Speech&apos;s default is 0.8.</source>
        <translation>模型选择下一个声音时的自由程度。较低：语音更平稳，但更单调；较高：更生动，但口误和怪音更多。Fish-Speech 的默认值为 0.8。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="365"/>
        <source>Top-p (nucleus sampling): each step picks only among the likeliest sounds that together make up this share of the probability. Lower: safer and more uniform; 1.0: no limit.</source>
        <translation>Top-p（核采样）：每一步只在可能性最高、合计概率达到此比例的那些声音中选择。较低：更稳妥、更一致；1.0：不限制。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="371"/>
        <source>Makes sounds just used less likely again. Above 1.0 it keeps the voice from repeating or getting stuck on a sound; too high and the speech turns choppy. 1.0: no penalty.</source>
        <translation>降低刚用过的声音再次出现的可能性。高于 1.0 可避免声音重复或卡在某个音上；过高则语音会变得断断续续。1.0：不惩罚。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="377"/>
        <source>The longest a take may grow, in model tokens (about 21.5 per second of speech): a take that rambles on is cut there. 0: the model&apos;s own limit.</source>
        <translation>一个版本最多可生成的长度，以模型 token 计（每秒语音约 21.5 个）：说个没完的版本会在此处截断。0：使用模型自身的上限。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="381"/>
        <source>Random seed for every line</source>
        <translation>每句台词使用随机种子</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="385"/>
        <source>The same seed makes the same clip from the same inputs</source>
        <translation>相同输入和相同种子会生成相同的片段</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="388"/>
        <source>Temperat&amp;ure:</source>
        <translation>温度(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="389"/>
        <source>Top-p:</source>
        <translation>Top-p：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="390"/>
        <source>Repetition penalt&amp;y:</source>
        <translation>重复惩罚(&amp;Y)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="391"/>
        <source>Maximum new tokens:</source>
        <translation>最大新 token 数：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="392"/>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="398"/>
        <source>Take checks</source>
        <translation>版本检查</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="400"/>
        <source>Check every new take: voice, words and audio</source>
        <translation>检查每个新版本：声音、字词和音频</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="402"/>
        <source>Uses the speaker embedding model above; the words need a speech recogniser</source>
        <translation>使用上面的说话人嵌入模型；字词检查需要语音识别模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="408"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="410"/>
        <source>New takes (new seeds) of a flagged line; the best-scored is kept, no take is deleted</source>
        <translation>为被标记的行生成新版本（新种子）；保留得分最高的一个，不删除任何版本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="414"/>
        <source>A take is flagged when it is not this much closer to its own voice than to another</source>
        <translation>版本与自身声音的相似度若不比与其他声音高出此值，则被标记</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="417"/>
        <source>Words (characters for Chinese and Japanese) wrong, 0 to 1</source>
        <translation>错误的字词比例（中文和日文按字计），0 到 1</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="419"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="423"/>
        <source>Seconds per character this many standard deviations from the speaker&apos;s other takes</source>
        <translation>每字秒数偏离该说话人其他版本这么多个标准差</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="426"/>
        <source>Speech recogniser (Whisper):</source>
        <translation>语音识别模型（Whisper）：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="427"/>
        <source>New takes of a flagged line:</source>
        <translation>被标记行的新版本数：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="428"/>
        <source>Voice margin:</source>
        <translation>声音余量：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="429"/>
        <source>Most words wrong:</source>
        <translation>最多错误字词：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="430"/>
        <source>Longest silence inside a take:</source>
        <translation>版本内最长静音：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="431"/>
        <source>Most clipped samples:</source>
        <translation>最多削波样本：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="432"/>
        <source>Duration outlier (standard deviations):</source>
        <translation>时长异常（标准差）：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="437"/>
        <source>Choose a Whisper model folder</source>
        <translation>选择 Whisper 模型文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="449"/>
        <source>None: the words of takes are not checked.</source>
        <translation>无：不检查版本中的字词。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="456"/>
        <source>multilingual</source>
        <translation>多语言</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="456"/>
        <source>English only</source>
        <translation>仅英语</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="457"/>
        <source>{name} ({kind})</source>
        <translation>{name}（{kind}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="460"/>
        <source>Worker interpreters</source>
        <translation>工作进程解释器</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="465"/>
        <source>All &amp;jobs:</source>
        <translation>所有任务(&amp;J)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="466"/>
        <source>Speaker embeddings:</source>
        <translation>说话人嵌入：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="467"/>
        <source>Voice cloning:</source>
        <translation>声音克隆：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="471"/>
        <source>Worker interpreter</source>
        <translation>工作进程解释器</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="473"/>
        <source>Choose a Python interpreter</source>
        <translation>选择 Python 解释器</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="480"/>
        <source>Empty: the bundled worker environment. To use an environment of your own, install the worker program into it first.</source>
        <translation>留空：使用内置的工作进程环境。若要使用自己的环境，请先在其中安装工作进程程序。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="490"/>
        <source>Interface</source>
        <translation>界面</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="494"/>
        <source>System language ({language})</source>
        <translation>系统语言（{language}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="499"/>
        <source>The new language is used the next time LocalClip starts.</source>
        <translation>新语言将在下次启动 LocalClip 时生效。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="503"/>
        <source>&amp;Language:</source>
        <translation>语言(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="535"/>
        <source> GB</source>
        <translation> GB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="578"/>
        <source>Bundled: {path}</source>
        <translation>内置：{path}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="580"/>
        <source>As for all jobs</source>
        <translation>与“所有任务”相同</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="621"/>
        <source>Runs use this workstation&apos;s GPUs, or its processor when it has none.</source>
        <translation>运行使用本工作站的 GPU；没有 GPU 时使用处理器。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="632"/>
        <source>Runs go to the cluster at {address}. On each GPU machine, run: localclip node --scheduler {address}</source>
        <translation>运行将发送到位于 {address} 的集群。请在每台 GPU 计算机上运行：localclip node --scheduler {address}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="665"/>
        <source>Not found: the run will stop with this message until it is fixed.</source>
        <translation>未找到：修复之前，运行会因此停止并显示此消息。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="667"/>
        <source>Not executable: check its permissions.</source>
        <translation>不可执行：请检查其权限。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="692"/>
        <source>Choose a WeSpeaker model folder</source>
        <translation>选择 WeSpeaker 模型文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="694"/>
        <source>Choose a Fish-Speech checkpoint folder</source>
        <translation>选择 Fish-Speech 检查点文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="707"/>
        <source>Choose a folder, or get a model with Manage models.</source>
        <translation>请选择一个文件夹，或通过“管理模型”获取模型。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="709"/>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="724"/>
        <source>{model}, {dim}-dimensional embeddings</source>
        <translation>{model}，{dim} 维嵌入</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/settings_panel.py" line="728"/>
        <source>Fish-Speech checkpoint with its codec</source>
        <translation>Fish-Speech 检查点及其编解码器</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="53"/>
        <source>Window</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="54"/>
        <source>Folder list</source>
        <translation>文件夹列表</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="55"/>
        <source>Review (with the list of lines focused)</source>
        <translation>审听（台词列表获得焦点时）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="56"/>
        <source>Speakers (with the map focused)</source>
        <translation>说话人（相似度图获得焦点时）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="78"/>
        <source>Show the Folder tab</source>
        <translation>显示“文件夹”标签页</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="79"/>
        <source>Show the Settings tab</source>
        <translation>显示“设置”标签页</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="80"/>
        <source>Show the Workers tab</source>
        <translation>显示“工作进程”标签页</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="81"/>
        <source>Show the Log tab</source>
        <translation>显示“日志”标签页</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="82"/>
        <source>Show the Review tab</source>
        <translation>显示“审听”标签页</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="83"/>
        <source>Show the Speakers tab</source>
        <translation>显示“说话人”标签页</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="89"/>
        <source>Open a dataset or project folder</source>
        <translation>打开数据集或项目文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="90"/>
        <source>Run every folder that is ready</source>
        <translation>运行所有就绪的文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="91"/>
        <source>Cancel the run</source>
        <translation>取消运行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="93"/>
        <source>Show this list</source>
        <translation>显示此列表</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="94"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="96"/>
        <source>Remove the folder from the list</source>
        <translation>从列表中移除文件夹</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="98"/>
        <source>Play or stop the kept take</source>
        <translation>播放或停止保留版本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="99"/>
        <source>Play the line</source>
        <translation>播放台词</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="102"/>
        <source>Previous or next line (plays it while a clip plays)</source>
        <translation>上一句或下一句台词（正在播放时会接着播放它）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="107"/>
        <source>Keep the previous or next take, and play it</source>
        <translation>保留上一个或下一个版本，并播放</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="110"/>
        <source>Make a new take of the line</source>
        <translation>为台词生成新版本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="111"/>
        <source>Play backwards / faster backwards</source>
        <translation>倒放 / 加速倒放</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="112"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="113"/>
        <source>Play forwards / faster forwards</source>
        <translation>正放 / 加速正放</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="115"/>
        <source>Set the trim&apos;s in point at the playhead</source>
        <translation>在播放头处设置裁剪入点</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="118"/>
        <source>Set the trim&apos;s out point at the playhead</source>
        <translation>在播放头处设置裁剪出点</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="120"/>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="121"/>
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="122"/>
        <source>Compare: play the other take (A/B)</source>
        <translation>对比：播放另一个版本 (A/B)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="124"/>
        <source>Approve the line, or take the approval back</source>
        <translation>批准台词，或撤销批准</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="128"/>
        <source>Next or previous line flagged by QA (wraps around)</source>
        <translation>下一句或上一句被质检标记的台词（循环）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="131"/>
        <source>Zoom in or out</source>
        <translation>放大或缩小</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="132"/>
        <source>Show the whole map</source>
        <translation>显示整张图</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="148"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="152"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/shortcuts.py" line="152"/>
        <source>What they do</source>
        <translation>功能</translation>
    </message>
</context>
<context>
    <name>SimilarPairsModel</name>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="564"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="564"/>
        <source>Similarity</source>
        <translation>相似度</translation>
    </message>
</context>
<context>
    <name>SimilarityHeatMap</name>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="147"/>
        <source>Speaker similarity map</source>
        <translation>说话人相似度图</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="185"/>
        <source>{0}: the speaker itself ({1:.3f})</source>
        <translation>{0}：说话人自身（{1:.3f}）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="186"/>
        <source>{0} and {1}: similarity {2:.3f}</source>
        <translation>{0} 与 {1}：相似度 {2:.3f}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="324"/>
        <source>No speakers to compare</source>
        <translation>没有可比较的说话人</translation>
    </message>
</context>
<context>
    <name>SimilarityLegend</name>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="472"/>
        <source>Colour scale of the similarity map</source>
        <translation>相似度图的色标</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="477"/>
        <source>Cosine similarity of speaker embeddings: {0:.2f} (dark) to {1:.2f} (bright)</source>
        <translation>说话人嵌入的余弦相似度：{0:.2f}（暗）到 {1:.2f}（亮）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="498"/>
        <source>{0:.2f} less alike</source>
        <translation>{0:.2f} 较不相似</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="500"/>
        <source>cosine similarity</source>
        <translation>余弦相似度</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="502"/>
        <source>more alike {0:.2f}</source>
        <translation>较相似 {0:.2f}</translation>
    </message>
</context>
<context>
    <name>SpeakerCountsModel</name>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="516"/>
        <source>Speaker</source>
        <translation>说话人</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="517"/>
        <source>Clips used</source>
        <translation>已用片段</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="518"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="519"/>
        <source>Most alike</source>
        <translation>最相似</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="520"/>
        <source>Similarity</source>
        <translation>相似度</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="551"/>
        <source>Every clip of this speaker failed: it has no embedding to compare</source>
        <translation>此说话人的所有片段均失败：没有可比较的嵌入</translation>
    </message>
</context>
<context>
    <name>SpeakerResultsView</name>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="654"/>
        <source>Reading {0}…</source>
        <translation>正在读取 {0}…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="670"/>
        <source>{0}: {1} speakers, {2} clips used, {3} failed</source>
        <translation>{0}：{1} 个说话人，已用 {2} 个片段，{3} 个失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="677"/>
        <source>Click a cell, or choose a speaker or a pair, to compare two speakers.</source>
        <translation>单击一个单元格，或选择一个说话人或一对说话人，即可比较两个说话人。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="697"/>
        <source>Replace the export?</source>
        <translation>替换导出结果？</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="698"/>
        <source>{0} holds an earlier export of embeddings. Replace it with this one?</source>
        <translation>{0} 中已有之前导出的嵌入。要用本次导出替换它吗？</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="702"/>
        <source>Exporting the embeddings to {0}…</source>
        <translation>正在将嵌入导出到 {0}…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="712"/>
        <source>Export the embeddings as pickle files</source>
        <translation>将嵌入导出为 pickle 文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="713"/>
        <source>Export the embeddings as NumPy files</source>
        <translation>将嵌入导出为 NumPy 文件</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="714"/>
        <source>Export the embeddings as Kaldi ark/scp</source>
        <translation>将嵌入导出为 Kaldi ark/scp</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="729"/>
        <location filename="../../localclip/gui/speaker_map.py" line="734"/>
        <source>No embedding results</source>
        <translation>没有嵌入结果</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="765"/>
        <source>Most alike pairs (same voice in two folders?)</source>
        <translation>最相似的说话人对（两个文件夹中是同一个声音？）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="773"/>
        <source>E&amp;xport embeddings</source>
        <translation>导出嵌入(&amp;X)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="775"/>
        <source>Write every clip&apos;s and speaker&apos;s embedding to a folder, as the localclip export command</source>
        <translation>将每个片段和每个说话人的嵌入写入一个文件夹，与 localclip export 命令相同</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="779"/>
        <source>Pickle files (.pkl), one per clip and speaker…</source>
        <translation>Pickle 文件（.pkl），每个片段和说话人各一个…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="780"/>
        <source>NumPy files (.npy), one matrix per speaker…</source>
        <translation>NumPy 文件（.npy），每个说话人一个矩阵…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="781"/>
        <source>Kaldi archive (.ark and .scp)…</source>
        <translation>Kaldi 归档（.ark 和 .scp）…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="786"/>
        <source>Fit</source>
        <translation>全图</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="861"/>
        <source>Exported {0} clips and {1} speakers as {2} to {3}</source>
        <translation>已将 {0} 个片段和 {1} 个说话人的嵌入以 {2} 格式导出到 {3}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="871"/>
        <source>Nothing was exported: {0}</source>
        <translation>未导出任何内容：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="875"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="876"/>
        <source>The embeddings could not be exported to {0}.</source>
        <translation>无法将嵌入导出到 {0}。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="787"/>
        <source>Show the whole map (0)</source>
        <translation>显示整张图 (0)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="790"/>
        <source>Zoom in (+, or Ctrl and the mouse wheel)</source>
        <translation>放大（+，或按住 Ctrl 滚动鼠标滚轮）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="791"/>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="794"/>
        <source>Zoom out (-)</source>
        <translation>缩小 (-)</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="795"/>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="849"/>
        <source>No results to show: {0}</source>
        <translation>没有可显示的结果：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="853"/>
        <source>Embedding results</source>
        <translation>嵌入结果</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/speaker_map.py" line="854"/>
        <source>The results in {0} could not be read.</source>
        <translation>无法读取 {0} 中的结果。</translation>
    </message>
</context>
<context>
    <name>TakeRegenerator</name>
    <message>
        <location filename="../../localclip/runs/regenerate.py" line="103"/>
        <source>This project has not been cloned yet and no Fish-Speech model folder is chosen: choose one in the run settings, or run the project once.</source>
        <translation>此项目尚未克隆，也未选择 Fish-Speech 模型文件夹：请在运行设置中选择一个，或先运行一次项目。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/regenerate.py" line="216"/>
        <source>The workers are shutting down.</source>
        <translation>工作进程正在关闭。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/regenerate.py" line="220"/>
        <source>A new take of line {0} is already being made.</source>
        <translation>第 {0} 行的新版本正在生成中。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/regenerate.py" line="334"/>
        <source>The warm cloning worker was stopped for the run; the next new take starts it again.</source>
        <translation>为给本次运行腾出资源，克隆工作进程已停止；下次生成新版本时会重新启动。</translation>
    </message>
    <message>
        <location filename="../../localclip/runs/regenerate.py" line="513"/>
        <source>The warm cloning worker was stopped after {0:g} minutes unused; the next new take starts it again.</source>
        <translation>克隆工作进程闲置 {0:g} 分钟后已停止；下次生成新版本时会重新启动。</translation>
    </message>
</context>
<context>
    <name>Units</name>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="60"/>
        <location filename="../../localclip/gui/formatting.py" line="66"/>
        <source>{0} s</source>
        <translation>{0} 秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="18"/>
        <source>{0} GB</source>
        <translation>{0} GB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="19"/>
        <source>{0} MB</source>
        <translation>{0} MB</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="38"/>
        <source>{0} clips/s</source>
        <translation>{0} 个片段/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="40"/>
        <source>{0} lines/s</source>
        <translation>{0} 句/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="41"/>
        <source>{0} items/s</source>
        <translation>{0} 项/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="44"/>
        <source>{0} s/clip</source>
        <translation>{0} 秒/片段</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="46"/>
        <source>{0} s/line</source>
        <translation>{0} 秒/句</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="47"/>
        <source>{0} s/item</source>
        <translation>{0} 秒/项</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="57"/>
        <source>{0} h {1} min</source>
        <translation>{0} 小时 {1} 分</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/formatting.py" line="59"/>
        <source>{0} min {1} s</source>
        <translation>{0} 分 {1} 秒</translation>
    </message>
</context>
<context>
    <name>WaveformView</name>
    <message>
        <location filename="../../localclip/gui/waveform.py" line="80"/>
        <source>Waveform</source>
        <translation>波形</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/waveform.py" line="83"/>
        <source>Click or drag to move the playhead. Drag the edges to trim the take; I and O set the in and out points at the playhead.</source>
        <translation>单击或拖动可移动播放头。拖动边缘可裁剪版本；按 I 和 O 在播放头处设置入点和出点。</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/waveform.py" line="222"/>
        <source>Reading the waveform…</source>
        <translation>正在读取波形…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/waveform.py" line="224"/>
        <source>The waveform cannot be drawn: {0}</source>
        <translation>无法绘制波形：{0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/waveform.py" line="226"/>
        <source>No take selected</source>
        <translation>未选择版本</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/waveform.py" line="227"/>
        <source>This take is empty</source>
        <translation>此版本为空</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/waveform.py" line="392"/>
        <source>Take of {0:.1f} s; kept from {1:.1f} s to {2:.1f} s</source>
        <translation>版本时长 {0:.1f} 秒；保留 {1:.1f} 秒至 {2:.1f} 秒</translation>
    </message>
</context>
<context>
    <name>WorkerPane</name>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="77"/>
        <source>starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="78"/>
        <source>loading model</source>
        <translation>正在加载模型</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="79"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="80"/>
        <source>working</source>
        <translation>工作中</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="81"/>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="82"/>
        <source>restarting</source>
        <translation>正在重启</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="83"/>
        <source>stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="84"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="85"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="86"/>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="87"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="180"/>
        <location filename="../../localclip/gui/worker_panes.py" line="181"/>
        <source>Worker {0}</source>
        <translation>工作进程 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="187"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="193"/>
        <source>Progress of the current unit of work</source>
        <translation>当前工作单元的进度</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="196"/>
        <source>Handed back: items this worker gave back unfinished (cancelled, or passed on after a crash or running out of memory, to be done again)</source>
        <translation>退回：此工作进程未完成就交回的项（已取消，或在崩溃、内存不足后转交出去，将重新处理）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="252"/>
        <source>Done {0} · Handed back {1} · Failed {2}</source>
        <translation>完成 {0} · 退回 {1} · 失败 {2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="203"/>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="204"/>
        <source>Show the last lines this worker wrote to its log</source>
        <translation>显示此工作进程最近写入日志的几行</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="213"/>
        <source>Worker output</source>
        <translation>工作进程输出</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="217"/>
        <source>Show in log panel</source>
        <translation>在日志面板中显示</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="230"/>
        <source>Speaker:</source>
        <translation>说话人：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="231"/>
        <source>Item:</source>
        <translation>当前项：</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="257"/>
        <source>{0}
Last failure: {1}</source>
        <translation>{0}
最近一次失败：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="270"/>
        <source>(nothing written yet)</source>
        <translation>（尚无输出）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="275"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="275"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="282"/>
        <source>Process id {0}</source>
        <translation>进程 ID {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="289"/>
        <source>Model loaded in {0}</source>
        <translation>模型加载用时 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="303"/>
        <source>Restarted {0}× · last: {1}</source>
        <translation>已重启 {0} 次 · 最近一次：{1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="318"/>
        <source>{0} (+{1} more in this batch)</source>
        <translation>{0}（本批次另有 {1} 项）</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="324"/>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="326"/>
        <source>loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="329"/>
        <source>{0} of {1}</source>
        <translation>{0} / {1}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="332"/>
        <source> · {0} {1} of {2}</source>
        <translation> · {0} {1} / {2}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="333"/>
        <source>step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="351"/>
        <source>{0} tokens/s</source>
        <translation>{0} token/秒</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="355"/>
        <source>RAM {0}</source>
        <translation>内存 {0}</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="357"/>
        <source>GPU {0}</source>
        <translation>显存 {0}</translation>
    </message>
</context>
<context>
    <name>WorkerPanesView</name>
    <message>
        <location filename="../../localclip/gui/worker_panes.py" line="425"/>
        <source>No workers are running. They appear here when a run starts.</source>
        <translation>没有正在运行的工作进程。开始运行后，它们会显示在这里。</translation>
    </message>
</context>
<context>
    <name>errors</name>
    <message>
        <location filename="../../localclip/gui/errors.py" line="54"/>
        <source>LocalClip</source>
        <translation>LocalClip</translation>
    </message>
    <message>
        <location filename="../../localclip/gui/errors.py" line="55"/>
        <source>Something went wrong inside LocalClip. Your files were not changed by it; you can go on working. If it happens again, please send the details below with a bug report.</source>
        <translation>LocalClip 内部出现错误。您的文件未因此受到改动，可以继续工作。如果再次出现，请在错误报告中附上下方的详细信息。</translation>
    </message>
</context>
</TS>
