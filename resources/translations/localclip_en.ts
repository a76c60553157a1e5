<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>GpuPanel</name>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="238"/>
        <source>Running: %n worker(s) {where}</source>
        <translation>
            <numerusform>Running: %n worker {where}</numerusform>
            <numerusform>Running: %n workers {where}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/gpu_panel.py" line="240"/>
        <source>Planned: %n worker(s) {where}</source>
        <translation>
            <numerusform>Planned: %n worker {where}</numerusform>
            <numerusform>Planned: %n workers {where}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IntakeView</name>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="681"/>
        <source>Dataset ({layout}): %n speaker(s), </source>
        <translation>
            <numerusform>Dataset ({layout}): %n speaker, </numerusform>
            <numerusform>Dataset ({layout}): %n speakers, </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="683"/>
        <source>%n clip(s)</source>
        <translation>
            <numerusform>%n clip</numerusform>
            <numerusform>%n clips</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="694"/>
        <source>Cloning project ({script}): %n speaker(s), </source>
        <translation>
            <numerusform>Cloning project ({script}): %n speaker, </numerusform>
            <numerusform>Cloning project ({script}): %n speakers, </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="697"/>
        <source>%n reference(s), </source>
        <translation>
            <numerusform>%n reference, </numerusform>
            <numerusform>%n references, </numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="698"/>
        <source>%n line(s) to speak</source>
        <translation>
            <numerusform>%n line to speak</numerusform>
            <numerusform>%n lines to speak</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../localclip/gui/intake.py" line="805"/>
        <source>%n clip(s) could not be read: see the problems below</source>
        <translation>
            <numerusform>%n clip could not be read: see the problems below</numerusform>
            <numerusform>%n clips could not be read: see the problems below</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <location filename="../../localclip/gui/main_window.py" line="645"/>
        <source>Ready to run: %n folder(s). Press Run (F5).</source>
        <translation>
            <numerusform>Ready to run: %n folder. Press Run (F5).</numerusform>
            <numerusform>Ready to run: %n folders. Press Run (F5).</numerusform>
        </translation>
    </message>
</context>
</TS>
